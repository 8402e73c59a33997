"""Helpers for MessageBus tests on one chain (the fixtures are in tests/utils/fixtures/bus.py).

Messages "from" another chain are built in Python (``OriginSim``): a Python tree
mirrors the origin bus and the validators' test keys sign its checkpoints, so the
destination bus on the test chain sees exactly what a relayer would bring it.
Used by the bus unit tests, the attack tests and the stateful machines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils.address import to_checksum_address

from trustspace.bus.checkpoint import Checkpoint, sign_checkpoint
from trustspace.bus.message import Message
from trustspace.bus.tree import MessageTree, height_for
from trustspace.consortium.governance import Governance

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


def govern(gov: Governance, approvers: list[Any], bus: Any, method: str, *args: Any) -> int:
    """Make the Consortium call ``bus.method(*args)`` through an approved proposal."""
    data = getattr(bus, method).encode_input(*args)
    return gov.enact("call", approvers=approvers, target=bus, data=data)


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
