"""Fixtures and helpers for MessageBus tests on one chain.

Messages "from" another chain are built in Python (``OriginSim``): a Python tree
mirrors the origin bus and the validators' test keys sign its checkpoints, so the
destination bus on the test chain sees exactly what a relayer would bring it.
Imported by tests/unit/bus/conftest.py and tests/security/test_bus_attacks.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address

from trustspace.bus.checkpoint import Checkpoint, sign_checkpoint
from trustspace.bus.merkle import MessageTree, height_for
from trustspace.bus.message import Message
from trustspace.governance import Governance, OrgSeed
from trustspace.roles import OrgKind, Role

ORIGIN = 31338
ORIGIN_BUS = to_checksum_address("0x00000000000000000000000000000000000b0515")
OTHER_ORIGIN = 31339
RECIPIENT_GAS = 200_000
# Gas limit for deliveries: recipients get their full cap only if the transaction leaves it.
DELIVERY_GAS = 3_000_000


@dataclass
class OriginSim:
    """An origin chain's bus as seen from the destination: its tree and its signers."""

    origin: int
    destination: int
    destination_bus: str
    origin_bus: str = ORIGIN_BUS
    tree: MessageTree = field(default_factory=MessageTree)
    messages: list[Message] = field(default_factory=list)

    def add(
        self, recipient: Any, body: bytes = b"hello", sender: Any = None, **overrides: Any
    ) -> Message:
        """Append a message as the origin bus would (nonce = leaf index)."""
        fields: dict[str, Any] = {
            "nonce": len(self.messages),
            "origin": self.origin,
            "sender": str(getattr(sender, "address", sender) or "0x" + "5e" * 20),
            "destination": self.destination,
            "destination_bus": str(getattr(self.destination_bus, "address", self.destination_bus)),
            "recipient": str(getattr(recipient, "address", recipient)),
            "body": body,
        }
        fields.update(overrides)
        message = Message(**fields)
        self.messages.append(message)
        self.tree.append(message.id)
        return message

    def checkpoint(self, count: int | None = None) -> Checkpoint:
        n = len(self.messages) if count is None else count
        return Checkpoint(self.origin, self.origin_bus, self.tree.root(n), n - 1)

    def proof(self, message: Message, count: int | None = None) -> list[bytes]:
        n = len(self.messages) if count is None else count
        return self.tree.proof(message.nonce, n)


def sign(checkpoint: Checkpoint, signers: list[Any]) -> bytes:
    """Signatures of ``signers`` packed in strictly increasing address order."""
    ordered = sorted(signers, key=lambda a: int(a.address, 16))
    return b"".join(sign_checkpoint(checkpoint, a.private_key) for a in ordered)


def sign_unsorted(checkpoint: Checkpoint, signers: list[Any]) -> bytes:
    """Signatures in the order given (attack tests)."""
    return b"".join(sign_checkpoint(checkpoint, a.private_key) for a in signers)


@pytest.fixture(scope="session")
def validator_keys(accounts):
    """Five validator keys of five organisations (1..5) and a second key of organisation 1."""
    return {
        "customs": accounts[11],
        "tax": accounts[12],
        "maritime": accounts[13],
        "forex": accounts[14],
        "ministry": accounts[15],
        "customs_2": accounts[16],
    }


@pytest.fixture(scope="session")
def relayer(accounts):
    return accounts[18]


@pytest.fixture(scope="session")
def bus_sender(accounts):
    """An account governance allows to dispatch."""
    return accounts[19]


@pytest.fixture(scope="session")
def stranger_key():
    """A key no consortium knows (shaped like an ape test account)."""
    key = Account.from_key("0x" + "42" * 32)
    return SimpleNamespace(address=key.address, private_key=key.key)


@pytest.fixture(scope="session")
def five_org_consortium(
    project, deployer, customs_admin, tax_admin, maritime_admin, forex_admin, ministry_admin
):
    from trustspace.governance import deploy_consortium

    orgs = [
        OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
        OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
        OrgSeed("Maritime Authority", OrgKind.MARITIME, [maritime_admin]),
        OrgSeed("Forex Office", OrgKind.FOREX, [forex_admin]),
        OrgSeed("Ministry of Trade", OrgKind.MINISTRY, [ministry_admin]),
    ]
    return deploy_consortium(project, deployer, orgs, threshold=2)


@pytest.fixture(scope="session")
def bus_approvers(customs_admin, tax_admin):
    return [customs_admin, tax_admin]


@pytest.fixture(scope="session")
def bus_gov(five_org_consortium):
    return Governance(five_org_consortium)


@pytest.fixture(scope="session")
def bus_setup(
    project, deployer, five_org_consortium, bus_gov, bus_approvers, validator_keys, bus_sender
):
    """A bus on the test chain whose origin ORIGIN has validators of 5 organisations, threshold 3,
    and which dispatches to ORIGIN's bus."""
    consortium = five_org_consortium
    bus = deployer.deploy(project.MessageBus, consortium, RECIPIENT_GAS)
    orgs = {"customs": 1, "tax": 2, "maritime": 3, "forex": 4, "ministry": 5, "customs_2": 1}
    for name, key in validator_keys.items():
        bus_gov.enact("add_account", approvers=bus_approvers, org_id=orgs[name], account=key)
        bus_gov.enact("grant_role", approvers=bus_approvers, account=key, roles=Role.VALIDATOR)
    keys = sorted((k.address for k in validator_keys.values()), key=lambda a: int(a, 16))
    govern(bus_gov, bus_approvers, bus, "setValidators", ORIGIN, ORIGIN_BUS, keys, 3)
    govern(bus_gov, bus_approvers, bus, "setSender", bus_sender, True)
    # Messages dispatched here travel to ORIGIN's bus (the simulated peer).
    govern(bus_gov, bus_approvers, bus, "setDestinationBus", ORIGIN, ORIGIN_BUS)
    return bus


def govern(gov: Governance, approvers: list[Any], bus: Any, method: str, *args: Any) -> int:
    """Make the Consortium call ``bus.method(*args)`` through an approved proposal."""
    data = getattr(bus, method).encode_input(*args)
    return gov.enact("call", approvers=approvers, target=bus, data=data)


@pytest.fixture
def origin_sim(chain, bus_setup):
    return OriginSim(ORIGIN, chain.chain_id, bus_setup.address)


@pytest.fixture
def noop(project, deployer):
    return deployer.deploy(project.NoopRecipient)


@pytest.fixture
def recorder(project, deployer):
    return deployer.deploy(project.RecordingRecipient)


@pytest.fixture
def three_signers(validator_keys):
    return [validator_keys["customs"], validator_keys["tax"], validator_keys["maritime"]]


def process(
    bus: Any, sim: OriginSim, message: Message, signers: list[Any], sender: Any, **kw: Any
) -> Any:
    """One-call delivery of ``message`` under the current checkpoint of ``sim``."""
    cp = sim.checkpoint()
    return bus.process(
        cp.root, cp.index, sign(cp, signers), message.encode(), sim.proof(message),
        sender=sender, gas_limit=DELIVERY_GAS, **kw,
    )  # fmt: skip


def accept(bus: Any, sim: OriginSim, signers: list[Any], sender: Any) -> Checkpoint:
    cp = sim.checkpoint()
    bus.acceptCheckpoint(cp.origin, cp.root, cp.index, sign(cp, signers), sender=sender)
    return cp


def deliver(bus: Any, sim: OriginSim, messages: list[Message], sender: Any, **kw: Any) -> Any:
    """Deliver ``messages`` under the (accepted) current checkpoint of ``sim``."""
    count = len(sim.messages)
    height = height_for(count)
    levels = sim.tree.levels(count, height)
    siblings = [s for m in messages for s in sim.tree.proof(m.nonce, count, height)]
    return bus.deliver(
        sim.origin, sim.tree.root(count), height, levels[height][0],
        [m.encode() for m in messages], siblings, sender=sender, gas_limit=DELIVERY_GAS, **kw,
    )  # fmt: skip
