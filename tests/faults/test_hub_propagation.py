"""The hub's organisation decisions reaching two domain chains through the real daemons,
and what must not break them: a domain chain down during propagation, two relayers racing
(one of them delivering out of order), a relayer killed mid-batch.

Three anvil chains with persisted state (hub 31337, customs 31338, tax 31339), the suite's
Consortium, MessageBus and HubLink on each (tests/utils/bus_local.py ``link_hub``), five
validators of the hub chain and relayers as separate processes. After every fault the
domains must end equal to the hub: every organisation's status the same on the three
chains, each hub message applied once (the domain link's sequence equals what the hub sent).
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.faults.conftest import FAULTS
from tests.utils.bus_local import (
    RELAYER_INDEX,
    LocalBus,
    mnemonic_key,
    spawn_relayer,
    spawn_validator,
    stop,
    write_config,
)
from trustspace.consortium.constants import Action, OrgStatus
from trustspace.devnet.chains import RunningChain, free_port, start_chain, stop_pid
from trustspace.networks import ChainSpec

pytestmark = pytest.mark.anvil

NAMES = {"hub": 31337, "customs": 31338, "tax": 31339}
DOMAINS = ["customs", "tax"]


class HubNet:
    def __init__(self, folder, specs, nodes, env, config):
        self.folder, self.specs, self.nodes, self.env, self.config = (
            folder, specs, nodes, env, config,
        )  # fmt: skip
        self.validators = [spawn_validator(config, "hub", key) for key in env.validators]
        self.relayers: list = []

    def relayer(self, *extra: str, config=None, index: int = RELAYER_INDEX):
        """Start a relayer and wait until it serves (it checks every chain at start-up, so a
        fault injected before that would only test its start-up refusal)."""
        config = config or self.config
        log = config.parent / "relayer.log"
        before = log.read_text().count(" serving ") if log.exists() else 0
        process = spawn_relayer(config, mnemonic_key(index), *extra)
        self.relayers.append(process)
        started = wait_for(lambda: log.exists() and log.read_text().count(" serving ") > before)
        assert started is not None and process.poll() is None, "the relayer did not start"
        return process

    def decide(self, action: Action, org_id: int) -> None:
        """A hub decision approved by the admins of two live organisations other than ``org_id``."""
        live = [i for i, status in enumerate(self.statuses("hub"), start=1)
                if status == OrgStatus.ACTIVE and i != org_id]  # fmt: skip
        approvers = [self.env.admins[i - 1] for i in live[:2]]
        self.env.governance["hub"].decide(action, approvers=approvers, org_id=org_id)

    def statuses(self, name: str) -> list[int]:
        consortium = self.env.deployments[name].consortium.functions
        count = consortium.org_count().call()
        return [consortium.organisation(i).call()[2] for i in range(1, count + 1)]

    def caught_up(self) -> bool:
        """Every domain equals the hub, and applied exactly what the hub sent it."""
        hub = self.statuses("hub")
        link = self.env.deployments["hub"].extra["hub_link"].functions
        for name in DOMAINS:
            dep = self.env.deployments[name]
            if self.statuses(name) != hub:
                return False
            sent = link.sent_seq(dep.chain_id).call()
            if dep.extra["hub_link"].functions.applied_seq().call() != sent:
                return False
        return True

    def close(self) -> None:
        for process in self.validators + self.relayers:
            stop(process)
        self.relayers.clear()


@pytest.fixture(scope="module")
def hubnet(tmp_path_factory) -> Iterator[HubNet]:
    """One network for the module (deploying it is most of the cost); each test starts
    from a caught-up state and leaves one, with its own relayers stopped."""
    tmp_path = tmp_path_factory.mktemp("hubnet")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRUSTSPACE_HOME", str(tmp_path / "home"))  # node state and logs
    specs = {name: ChainSpec(name, cid, free_port()) for name, cid in NAMES.items()}
    nodes: dict[str, RunningChain] = {}
    try:
        for name, spec in specs.items():
            nodes[name] = start_chain(spec, persist=True, record=False)
        env = LocalBus(list(nodes.values()), folder=tmp_path / "deployments")
        env.deploy()
        env.link_hub("hub")
        config = write_config(env.deployments, tmp_path)
        net = HubNet(tmp_path, specs, nodes, env, config)
        try:
            yield net
        finally:
            net.close()
    finally:
        for node in nodes.values():
            stop_pid(node.pid)
        mp.undo()


@pytest.fixture(autouse=True)
def own_relayers(hubnet):
    """Each test starts its relayers itself; they are stopped when it ends."""
    yield
    for process in hubnet.relayers:
        stop(process)
    hubnet.relayers.clear()


def wait_for(predicate, timeout=90.0, step=0.1) -> float | None:
    """Seconds until ``predicate()`` held, None if it never did."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if predicate():
                return time.monotonic() - start
        except Exception:  # a node restarting answers nothing for a moment
            pass
        time.sleep(step)
    return None


def scanned_for(store: Path, destination: int) -> bool:
    """Whether the relayer's store already holds a message for ``destination``."""
    with closing(sqlite3.connect(store)) as db:
        query = "SELECT COUNT(*) FROM messages WHERE destination = ?"
        return bool(db.execute(query, (destination,)).fetchone()[0])


def test_hub_suspension__relayer_running__both_domains_follow_and_roles_drop(hubnet):
    hubnet.relayer()
    assert wait_for(hubnet.caught_up) is not None  # the registration snapshots
    hubnet.decide(Action.SUSPEND_ORG, 3)
    assert wait_for(hubnet.caught_up) is not None
    for name in DOMAINS:
        assert hubnet.statuses(name)[2] == OrgStatus.SUSPENDED
        maritime_admin = hubnet.env.admins[2].address
        consortium = hubnet.env.deployments[name].consortium.functions
        assert consortium.has_role(maritime_admin, 1).call() is False


def test_domain_down_during_propagation__catches_up_when_back(hubnet):
    hubnet.relayer()
    assert wait_for(hubnet.caught_up) is not None
    stop_pid(hubnet.nodes["tax"].pid)
    FAULTS["tax node down during hub propagation"] += 1
    hubnet.decide(Action.SUSPEND_ORG, 4)
    hubnet.decide(Action.REMOVE_ORG, 3)
    customs_done = wait_for(lambda: hubnet.statuses("customs") == hubnet.statuses("hub"))
    assert customs_done is not None  # the live domain is not held back by the dead one
    hubnet.nodes["tax"] = start_chain(hubnet.specs["tax"], persist=True, record=False)
    assert wait_for(hubnet.caught_up) is not None


def test_two_relayers_racing__each_decision_applied_once_in_hub_order(hubnet):
    # Two relayers with separate databases and accounts: both try every delivery; the
    # slower one's attempts revert (processed, or out of order on the lane) and change nothing.
    second = hubnet.folder / "second"
    second.mkdir(exist_ok=True)
    other = write_config(hubnet.env.deployments, second)
    hubnet.relayer()
    hubnet.relayer(config=other, index=RELAYER_INDEX + 1)
    for action, org in [(Action.SUSPEND_ORG, 2), (Action.REINSTATE_ORG, 2),
                        (Action.SUSPEND_ORG, 5), (Action.REINSTATE_ORG, 5),
                        (Action.SUSPEND_ORG, 2)]:  # fmt: skip
        hubnet.decide(action, org)
    FAULTS["two relayers racing on hub decisions"] += 1
    assert wait_for(hubnet.caught_up) is not None
    assert hubnet.statuses("tax")[1] == OrgStatus.SUSPENDED
    hubnet.decide(Action.REINSTATE_ORG, 2)
    assert wait_for(hubnet.caught_up) is not None


def test_relayer_killed_mid_batch__restart_delivers_the_rest_once(hubnet):
    relayer = hubnet.relayer()
    assert wait_for(hubnet.caught_up) is not None
    for org in (2, 5):
        hubnet.decide(Action.SUSPEND_ORG, org)
        hubnet.decide(Action.REINSTATE_ORG, org)
    time.sleep(0.3)
    relayer.send_signal(signal.SIGKILL)
    relayer.wait()
    FAULTS["relayer killed during hub propagation"] += 1
    hubnet.relayer()
    assert wait_for(hubnet.caught_up) is not None


def test_fourth_chain_joins_running_consortium__bootstrapped_from_the_hub__then_follows(hubnet):
    hubnet.relayer()
    hubnet.decide(Action.SUSPEND_ORG, 5)  # the hub's table now differs from the genesis one
    assert wait_for(hubnet.caught_up) is not None
    spec = ChainSpec("trade", 31340, free_port())
    hubnet.specs["trade"] = spec
    hubnet.nodes["trade"] = start_chain(spec, persist=True, record=False)
    hubnet.env.join(hubnet.nodes["trade"], "hub")
    DOMAINS.append("trade")
    try:
        # The running relayer scans the hub's message to the new chain before it is stopped:
        # it keeps it as not its own; the relayer that serves the new chain must deliver it.
        assert wait_for(lambda: scanned_for(hubnet.folder / "relay.sqlite", 31340)) is not None
        # The running relayer knows three chains: a relayer that knows the fourth takes over.
        for process in hubnet.relayers:
            stop(process)
        hubnet.relayers.clear()
        # Same folder: the validators' signatures and the relayer's database stay where they are.
        hubnet.config = write_config(hubnet.env.deployments, hubnet.folder)
        hubnet.relayer()
        assert wait_for(hubnet.caught_up) is not None
        assert hubnet.statuses("trade")[4] == OrgStatus.SUSPENDED  # from the snapshot
        hubnet.decide(Action.REINSTATE_ORG, 5)
        assert wait_for(hubnet.caught_up) is not None
        assert hubnet.statuses("trade")[4] == OrgStatus.ACTIVE
    finally:
        DOMAINS.remove("trade")
