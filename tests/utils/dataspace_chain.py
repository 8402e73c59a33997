"""The data space on one anvil chain for the process tests: the suite deployed over web3.py,
the actors enrolled, the files an operator offers, the CLI as a subprocess and a connector
process (tests/integration/test_data_*.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.utils.deploy_cli import (
    TRUSTSPACE,
    chains_up,
    deploy_over_web3,
    environment,
    founding_admin_keys,
    wait_until,
)
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.dataspace.request import SignedRequest, key_signer, sign_request
from trustspace.devnet.chains import free_port, mnemonic_key

CUSTOMS, TAX, MARITIME, MINISTRY = 1, 2, 3, 5
# anvil's test accounts: 1-5 the founding admins (customs, tax, maritime, forex, ministry).
CUSTOMS_ADMIN, TAX_ADMIN, MARITIME_ADMIN = "TEST::1", "TEST::2", "TEST::3"
CONNECTOR, TAX_CLERK, SUPERVISOR = 7, 8, 6
POLICY = {
    "purposes": ["VAT assessment"],
    "consumerKinds": ["TAX", "MARITIME"],
    "maxTransfers": 0,
}


@contextmanager
def data_space(root: Path) -> Iterator[dict[str, Any]]:
    """The customs chain with the suite, in ``root``: customs' connector key (NOTARY), a tax
    clerk, a ministry supervisor (AUDITOR), and a dataset, policy and description to offer."""
    home, deployments, work = root / "home", root / "deployments", root / "work"
    for folder in (home, deployments, work):
        folder.mkdir()
    with chains_up(home, ("customs",)) as running:
        url = running["customs"].url
        suite = deploy_over_web3(url, "customs", deployments)
        admins = founding_admin_keys()[:3]
        gov = Governance(suite.consortium)
        for org, index, roles in (
            (CUSTOMS, CONNECTOR, Role.NOTARY),
            (TAX, TAX_CLERK, None),
            (MINISTRY, SUPERVISOR, Role.AUDITOR),
        ):
            account = mnemonic_key(index).address
            gov.enact("add_account", approvers=admins, org_id=org, account=account)
            if roles is not None:
                gov.enact("grant_role", approvers=admins, account=account, roles=int(roles))
        (work / "declarations.csv").write_text("declaration,value\nCD-1,100\nCD-2,250\n")
        (work / "policy.json").write_text(json.dumps(POLICY))
        (work / "description.json").write_text(json.dumps({"title": "Customs declarations"}))
        yield {
            "env": environment(deployments, home),
            "work": work,
            "suite": suite,
            "chain_id": 31338,
        }


def cli(space: dict[str, Any], *args: Any, code: int = 0) -> subprocess.CompletedProcess[str]:
    """Run ``trustspace`` from the work folder; assert the exit code and no traceback."""
    result = subprocess.run(
        [TRUSTSPACE, *map(str, args)],
        cwd=space["work"],
        env=space["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def cli_json(space: dict[str, Any], *args: Any, code: int = 0) -> Any:
    """``cli`` with ``--json``: the one document."""
    return json.loads(cli(space, *args, "--json", code=code).stdout)


class ConnectorProcess:
    """``trustspace connector run`` as a process (started, health-checked, killed)."""

    def __init__(
        self,
        space: dict[str, Any],
        journal: Path,
        policy: str = "policy.json",
        extra: tuple[str, ...] = (),
    ) -> None:
        """``policy`` is offer 1's policy file, ``extra`` more ``connector run`` options."""
        self.space, self.journal = space, journal
        self.policy, self.extra = policy, extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                TRUSTSPACE, "connector", "run", "--network", "customs",
                "--account", f"TEST::{CONNECTOR}", "--dataset", "1=declarations.csv",
                "--policy", f"1={self.policy}", "--port", str(self.port),
                "--journal", self.journal, *self.extra,
            ],
            cwd=self.space["work"], env=self.space["env"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_until(self.healthy, "the connector answers /health", timeout=60)

    def healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            err = self.process.stderr.read().decode() if self.process.stderr else ""
            raise AssertionError(err)
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                return bool(json.loads(response.read())["ok"])
        except OSError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def post(self, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.url + "/transfer", data=body, headers={"content-type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        except OSError:
            return 0, b""


def send(space: dict[str, Any], call: Any, key: Any) -> None:
    """Send a web3.py call of the suite with ``key`` (an agency's own software)."""
    from trustspace.bus.web3tx import TxSender

    sender = TxSender(space["suite"].contract("DataService").w3, key)
    assert sender.send(sender.prepare(call))["status"] == 1


def signed(
    space: dict[str, Any], key_index: int, agreement_id: int, audience: str
) -> SignedRequest:
    """A fresh request of test account ``key_index`` for offer 1."""
    suite = space["suite"]
    account = mnemonic_key(key_index)
    return sign_request(
        key_signer(account.key), account.address, agreement_id, 1, audience,
        space["chain_id"], suite.contract("DataService").address,
    )  # fmt: skip
