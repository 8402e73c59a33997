"""Fault-injection harness: two anvil chains with persisted state, the bus deployed on both,
validator and relayer daemons as real processes, and the means to break them.

customs (31338) is the origin, tax (31339) the destination with a ``RecordingRecipient``.
Chains run with ``anvil --state FILE`` so a stopped node restarts from what it had; the
daemons are the ones operators run (``python -m trustspace.bus validator|relay run``).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from web3 import Web3

from tests.utils.bus_local import (
    RELAYER_INDEX,
    SENDER_INDEX,
    ChainDeployment,
    LocalBus,
    mnemonic_key,
    spawn_relayer,
    spawn_validator,
    stop,
    write_config,
)
from tests.utils.contracts import test_contract
from trustspace.bus.message import Message
from trustspace.bus.web3tx import TxSender
from trustspace.devnet.chains import RunningChain, free_port, start_chain, stop_pid
from trustspace.networks import ChainSpec
from trustspace.paths import project_root

ORIGIN, DESTINATION = "customs", "tax"
# Every fault injected in this session, by kind (printed at the end, and written to
# .trustspace/fault-stats.json for docs/security-evidence.md).
FAULTS: Counter[str] = Counter()


@dataclass
class FaultNet:
    """Two chains, the bus on both, and the processes around them."""

    folder: Path
    specs: dict[str, ChainSpec]
    nodes: dict[str, RunningChain]
    env: LocalBus
    deps: dict[str, ChainDeployment]
    config: Path
    validators: list[subprocess.Popen[bytes]] = field(default_factory=list)
    relayer: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ nodes

    def stop_node(self, name: str) -> None:
        """Stop a chain's node (SIGTERM: anvil writes its state file, then exits)."""
        stop_pid(self.nodes[name].pid)
        FAULTS[f"{name} node stopped and restarted from state"] += 1

    def start_node(self, name: str) -> None:
        """Start the node again from its persisted state, on the same port."""
        self.nodes[name] = start_chain(self.specs[name], persist=True, record=False)

    # ------------------------------------------------------------------ daemons

    def start_validators(self, indices: range | list[int] | None = None) -> None:
        chosen = range(len(self.env.validators)) if indices is None else indices
        for i in chosen:
            key = self.env.validators[i]
            self.validators[i] = spawn_validator(self.config, ORIGIN, key, poll=0.2)

    def stop_validators(self, indices: list[int]) -> None:
        for i in indices:
            stop(self.validators[i])
        FAULTS["validator process stopped"] += len(indices)

    def start_relayer(self) -> None:
        self.relayer = spawn_relayer(
            self.config, mnemonic_key(RELAYER_INDEX), "--db", str(self.folder / "relay.sqlite"),
            "--batch-size", "20", "--backoff", "0.5", poll=0.2,
        )  # fmt: skip

    # ------------------------------------------------------------------ traffic

    @property
    def recorder(self):  # type: ignore[no-untyped-def]
        return self.deps[DESTINATION].extra["recorder"]

    def dispatch(self, body: bytes) -> Message:
        origin, dest = self.deps[ORIGIN], self.deps[DESTINATION]
        receipt = TxSender(origin.w3, mnemonic_key(SENDER_INDEX)).transact(
            origin.bus.functions.dispatch(dest.chain_id, self.recorder.address, body),
            gas=200_000,
        )
        (event,) = origin.bus.events.Dispatched().process_receipt(receipt)
        return Message.decode(bytes(event["args"]["message"]))

    def processed(self, message: Message) -> bool:
        bus = self.deps[DESTINATION].bus
        return bool(bus.functions.processed(message.origin, message.nonce).call())

    def delivered_counts(self, messages: list[Message]) -> Counter[bytes]:
        """``Delivered`` events per message id on the destination, from block 0."""
        ids = {m.id for m in messages}
        events = self.deps[DESTINATION].bus.events.Delivered().get_logs(from_block=0)
        return Counter(bytes(e["args"]["id"]) for e in events if bytes(e["args"]["id"]) in ids)


def wait_for(predicate: Callable[[], bool], timeout: float = 90.0, step: float = 0.25) -> bool:
    """Poll ``predicate`` until true; node hiccups count as "not yet"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # a node being restarted
            pass
        time.sleep(step)
    return False


@pytest.fixture(scope="module")
def fault_net(tmp_path_factory) -> Iterator[FaultNet]:
    folder = tmp_path_factory.mktemp("faults")
    previous_home = os.environ.get("TRUSTSPACE_HOME")
    os.environ["TRUSTSPACE_HOME"] = str(folder)  # state files and node logs go here
    specs = {
        ORIGIN: ChainSpec(ORIGIN, 31338, free_port()),
        DESTINATION: ChainSpec(DESTINATION, 31339, free_port()),
    }
    nodes: dict[str, RunningChain] = {}
    net: FaultNet | None = None
    try:
        for name, spec in specs.items():
            nodes[name] = start_chain(spec, persist=True, record=False)
        env = LocalBus(list(nodes.values()))
        deps = env.deploy()
        env.allow_sender(ORIGIN, mnemonic_key(SENDER_INDEX).address)
        deps[DESTINATION].extra["recorder"] = env.sender(DESTINATION).deploy(
            test_contract("RecordingRecipient")
        )
        config = write_config(deps, folder)
        net = FaultNet(folder, specs, nodes, env, deps, config)
        net.validators = [None] * len(env.validators)  # type: ignore[list-item]
        net.start_validators()
        yield net
    finally:
        if net is not None:
            for process in [*net.validators, net.relayer]:
                if process is not None:
                    stop(process)
        for node in nodes.values():
            stop_pid(node.pid)
        if previous_home is None:
            os.environ.pop("TRUSTSPACE_HOME", None)
        else:
            os.environ["TRUSTSPACE_HOME"] = previous_home


def assert_exactly_once(net: FaultNet, messages: list[Message], received_before: int) -> None:
    counts = net.delivered_counts(messages)
    assert set(counts) == {m.id for m in messages}, "a message was lost"
    assert set(counts.values()) == {1}, "a message was delivered twice"
    assert net.recorder.functions.received().call() - received_before == len(messages)
    assert Web3.is_address(net.recorder.address)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FAULTS:
        return
    terminalreporter.section("faults injected")
    for kind, count in sorted(FAULTS.items()):
        terminalreporter.write_line(f"{count:>5}  {kind}")
    out = project_root() / ".trustspace" / "fault-stats.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(FAULTS), indent=2))
