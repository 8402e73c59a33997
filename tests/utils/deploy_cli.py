"""``trustspace deploy`` as an operator runs it (from any folder), and the anvil chains it runs
on. ``ape run deploy`` is the same command group; ``ape run`` finds it only in the checkout.

Every file a command reads or writes is outside the checkout: records under
``TRUSTSPACE_DEPLOYMENTS``, the pid files of ``chains up`` under ``TRUSTSPACE_HOME`` (both
in a test's temporary folder). Suites that a test only needs to exist are deployed through
the SDK over web3.py (a second, not four), under the network name the command would use.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.utils.deployments import recorded
from trustspace.deploy.config import local_config
from trustspace.deploy.deployer import Suite, SuiteDeployer
from trustspace.deploy.records import DeploymentRecord, load
from trustspace.deploy.stacks import Web3Chain
from trustspace.devnet.chains import RunningChain, down, free_port, mnemonic_key, up
from trustspace.networks import DEFAULT_CHAINS, ChainSpec
from trustspace.paths import project_root

APE = str(Path(sys.executable).with_name("ape"))
TRUSTSPACE = str(Path(sys.executable).with_name("trustspace"))
#: anvil's test accounts as the deploy command uses them on local chains: 0 pays, 1-5 admin.
DEPLOYER_INDEX = 0
FOUNDING_ADMIN_INDEXES = (1, 2, 3, 4, 5)


def deployer_key() -> Any:
    """The key ``ape run deploy`` pays with on a local chain (test account 0)."""
    return mnemonic_key(DEPLOYER_INDEX)


def founding_admin_keys() -> list[Any]:
    """The admins of the five local agencies (test accounts 1-5)."""
    return [mnemonic_key(i) for i in FOUNDING_ADMIN_INDEXES]


def environment(deployments: Path, home: Path) -> dict[str, str]:
    """The environment of a command whose records and chain pid files are the test's."""
    return {
        **os.environ,
        "TRUSTSPACE_DEPLOYMENTS": str(deployments),
        "TRUSTSPACE_HOME": str(home),
        "COLUMNS": "400",
        "PYTHONWARNINGS": "ignore:Field 'import_remapping' has an incomplete definition",
    }


def ape_run_deploy(
    args: list[str], deployments: Path, home: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``ape run deploy ARGS`` to completion, in the checkout (where ``ape run`` finds it)."""
    return subprocess.run(
        [APE, "run", "deploy", *args], cwd=project_root(), env=environment(deployments, home),
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def trustspace_deploy(
    args: list[str], deployments: Path, home: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``trustspace deploy ARGS`` to completion, from a folder outside the checkout."""
    return subprocess.run(
        [TRUSTSPACE, "deploy", *args], cwd=_outside(deployments),
        env=environment(deployments, home), capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def start_trustspace_deploy(
    args: list[str], deployments: Path, home: Path, output: Path
) -> subprocess.Popen[bytes]:
    """``trustspace deploy ARGS`` in the background, stdout and stderr into ``output``."""
    with output.open("wb") as sink:
        return subprocess.Popen(
            [TRUSTSPACE, "deploy", *args], cwd=_outside(deployments),
            env=environment(deployments, home), stdout=sink, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip


def _outside(deployments: Path) -> Path:
    """The folder a command runs in: the records' parent, never inside the checkout."""
    folder = deployments.parent
    folder.mkdir(parents=True, exist_ok=True)
    assert not folder.resolve().is_relative_to(project_root())
    return folder


def interrupt(process: subprocess.Popen[bytes], how: signal.Signals) -> int:
    """Send ``how`` (SIGINT as Ctrl-C, SIGTERM as a supervisor) and wait for the exit code."""
    process.send_signal(how)
    return process.wait(timeout=60)


def wait_until(condition: Any, what: str, timeout: float = 120.0) -> None:
    """Poll ``condition()`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def pending_in(path: Path, name: str) -> bool:
    """True once the record at ``path`` shows ``name`` as pending."""
    record = load(path) if path.exists() else None
    return record is not None and name in record.contracts and (
        record.contracts[name].status == "pending"
    )  # fmt: skip


def said(result: subprocess.CompletedProcess[str]) -> str:
    """What the command printed on stdout, with runs of white space made single spaces."""
    return " ".join(result.stdout.split())


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The last line on stderr (ape's logger may have printed before it)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def no_traceback(result: subprocess.CompletedProcess[str]) -> bool:
    """True if neither stream shows a Python traceback."""
    return "Traceback" not in result.stdout + result.stderr


def rpc(url: str, method: str, *params: Any) -> Any:
    """One JSON-RPC call (anvil's ``evm_setAutomine``, ``evm_mine``, ``txpool_status`` …)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert "error" not in answer, answer
    return answer["result"]


def ape_network(chain: RunningChain) -> str:
    """The ``--network`` an operator gives ape for a local chain on a moved port."""
    return f"ethereum:{chain.name}:{chain.url}"


def spec_named(name: str) -> ChainSpec:
    """The local chain ``name`` (hub, customs, tax) on a free port."""
    spec = next(s for s in DEFAULT_CHAINS if s.name == name)
    return ChainSpec(spec.name, spec.chain_id, free_port())


@contextmanager
def chains_up(home: Path, names: tuple[str, ...]) -> Iterator[dict[str, RunningChain]]:
    """``trustspace chains up`` for ``names`` on free ports, pid files under ``home`` (so the
    commands find them by name, as after ``chains up --base-port``); down when leaving."""
    import pytest

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRUSTSPACE_HOME", str(home))
        try:
            started = up([spec_named(name) for name in names])
            yield {chain.name: chain for chain in started}
        finally:
            down()


def deploy_over_web3(url: str, network: str, folder: Path) -> Suite[Any]:
    """The local suite on ``url``, recorded in ``folder`` under ``ethereum:<network>`` as
    ``ape run deploy suite`` records it (five agencies, threshold 3)."""
    from trustspace.bus.web3tx import connect

    chain = Web3Chain(connect(url), deployer_key(), network=network)
    return SuiteDeployer.on(chain, local_config(founding_admin_keys()), folder).deploy()


def record_of(folder: Path, network: str) -> DeploymentRecord:
    """The record ``ape run deploy`` keeps for ``ethereum:<network>`` in ``folder``."""
    return recorded(folder / f"ethereum-{network}.json")
