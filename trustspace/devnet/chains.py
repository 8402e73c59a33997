"""Start and stop the three local chains (hub, customs, tax) as anvil processes.

Every node listens on 127.0.0.1 only. Processes are tracked by pid files in a
state folder (``.trustspace/chains`` in the project, or ``$TRUSTSPACE_HOME``),
so ``trustspace chains up`` in one shell and ``trustspace chains down`` in
another work together; ``LocalChains`` does the same for tests and the demo
and stops what it started when it leaves.

With ``free_gas`` the chains run like a permissioned free-gas network (Besu or GoQuorum
with minimum gas price 0): base fee 0, gas price 0, and the dev accounts hold no ether
(:data:`FREE_GAS_FLAGS`), so only a fee policy that asks the network gets a transaction
through (:mod:`trustspace.fees`).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trustspace.devnet.toolchain import anvil_path
from trustspace.errors import TrustspaceError
from trustspace.networks import DEFAULT_CHAINS, HOST, TEST_MNEMONIC, ChainSpec
from trustspace.paths import state_home

__all__ = [
    "FREE_GAS_FLAGS",
    "MNEMONIC",
    "ChainError",
    "RunningChain",
    "down",
    "free_port",
    "local_chains",
    "mnemonic_key",
    "port_is_free",
    "rpc_chain_id",
    "running",
    "specs_from",
    "start_chain",
    "state_dir",
    "stop_pid",
    "up",
]

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

#: anvil's test mnemonic: every local chain funds its first accounts (never a real key).
MNEMONIC = TEST_MNEMONIC
#: anvil without fees: zero base fee and gas price, dev accounts without ether. anvil still
#: suggests a 1 gwei tip (eth_gasPrice, eth_maxPriorityFeePerGas) that it does not charge.
FREE_GAS_FLAGS = ("--base-fee", "0", "--gas-price", "0", "--balance", "0")


def mnemonic_key(index: int) -> LocalAccount:
    """Key ``index`` of anvil's test mnemonic (local chains only)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    account: LocalAccount = Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return account


@dataclass(frozen=True)
class RunningChain:
    """A chain process this tooling started."""

    name: str
    chain_id: int
    url: str
    pid: int
    #: Started without fees (:data:`FREE_GAS_FLAGS`).
    free_gas: bool = False


class ChainError(TrustspaceError, RuntimeError):
    """A chain could not be started, reached or stopped; the message says which and why."""


def state_dir() -> Path:
    """Where pid files, logs and persisted chain state live."""
    folder = state_home() / "chains"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def specs_from(base_port: int | None) -> tuple[ChainSpec, ...]:
    """The default chains, moved to consecutive ports from ``base_port`` if given."""
    if base_port is None:
        return DEFAULT_CHAINS
    return tuple(
        ChainSpec(spec.name, spec.chain_id, base_port + i) for i, spec in enumerate(DEFAULT_CHAINS)
    )


def port_is_free(port: int) -> bool:
    """True if nothing listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def rpc_chain_id(url: str, timeout: float = 2.0) -> int | None:
    """The chain id a JSON-RPC node at ``url`` reports, or None if it does not answer."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(json.loads(response.read())["result"], 16)
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        return None


def _pid_file(name: str) -> Path:
    return state_dir() / f"{name}.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running() -> list[RunningChain]:
    """Chains started by this tooling whose processes are still alive."""
    chains = []
    for spec in DEFAULT_CHAINS:
        path = _pid_file(spec.name)
        if not path.exists():
            continue
        record = RunningChain(**json.loads(path.read_text()))
        if _alive(record.pid):
            chains.append(record)
        else:
            path.unlink(missing_ok=True)
    return chains


def start_chain(
    spec: ChainSpec,
    persist: bool = False,
    timeout: float = 30.0,
    record: bool = True,
    free_gas: bool = False,
) -> RunningChain:
    """Start one anvil for ``spec`` and wait until it answers with the right chain id.

    With ``record`` the process gets a pid file, so that ``down`` (maybe from
    another shell) finds it; ``local_chains`` keeps its processes to itself. With
    ``free_gas`` it charges no fees and its accounts hold nothing (:data:`FREE_GAS_FLAGS`).
    """
    if not port_is_free(spec.port):
        raise ChainError(
            f"{spec.name}: port {spec.port} on {HOST} is taken; stop what listens there "
            f"or choose other ports with --base-port"
        )
    folder = state_dir()
    command = [
        str(anvil_path()),
        "--host", HOST,
        "--port", str(spec.port),
        "--chain-id", str(spec.chain_id),
        "--accounts", "20",
        "--mnemonic", MNEMONIC,
    ]  # fmt: skip
    if free_gas:
        command += FREE_GAS_FLAGS
    if persist:
        command += ["--state", str(folder / f"{spec.name}.state.json")]
    log = (folder / f"{spec.name}.log").open("ab")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ChainError(
                f"{spec.name}: anvil exited with code {process.returncode}; "
                f"see {folder / f'{spec.name}.log'}"
            )
        reported = rpc_chain_id(spec.url, timeout=0.5)
        if reported == spec.chain_id:
            chain = RunningChain(spec.name, spec.chain_id, spec.url, process.pid, free_gas)
            if record:
                _pid_file(spec.name).write_text(json.dumps(asdict(chain)))
            return chain
        if reported is not None:
            process.terminate()
            raise ChainError(f"{spec.name}: {spec.url} reports chain id {reported}")
        time.sleep(0.1)
    process.terminate()
    raise ChainError(f"{spec.name}: anvil did not answer on {spec.url} within {timeout:.0f} s")


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """Stop a process with SIGTERM (anvil then writes its state), SIGKILL if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:
            if not _alive(pid):
                return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def up(
    specs: Sequence[ChainSpec] = DEFAULT_CHAINS, persist: bool = False, free_gas: bool = False
) -> list[RunningChain]:
    """Start every chain not already running; all or nothing (a failure stops the new ones)."""
    already = {chain.name: chain for chain in running()}
    started: list[RunningChain] = []
    result: list[RunningChain] = []
    try:
        for spec in specs:
            if spec.name in already:
                result.append(already[spec.name])
                continue
            chain = start_chain(spec, persist=persist, free_gas=free_gas)
            started.append(chain)
            result.append(chain)
    except ChainError:
        for chain in started:
            stop_pid(chain.pid)
            _pid_file(chain.name).unlink(missing_ok=True)
        raise
    return result


def down() -> list[RunningChain]:
    """Stop every chain this tooling started; returns what was stopped."""
    stopped = running()
    for chain in stopped:
        stop_pid(chain.pid)
        _pid_file(chain.name).unlink(missing_ok=True)
    return stopped


@contextmanager
def local_chains(
    specs: Sequence[ChainSpec] | None = None, persist: bool = False, free_gas: bool = False
) -> Iterator[list[RunningChain]]:
    """Start the chains (on free ports if none given) for the length of a block, then stop them
    (``free_gas``: without fees, see :data:`FREE_GAS_FLAGS`)."""
    if specs is None:
        specs = tuple(ChainSpec(s.name, s.chain_id, free_port()) for s in DEFAULT_CHAINS)
    started: list[RunningChain] = []
    try:
        for spec in specs:
            started.append(start_chain(spec, persist=persist, record=False, free_gas=free_gas))
        yield started
    finally:
        for chain in started:
            stop_pid(chain.pid)
