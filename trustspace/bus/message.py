"""Messages as the MessageBus packs them: a 77-byte header and the body.

Version 2 names the destination bus in the header, so a message id (keccak256 of the
packed message) belongs to one bus: a bus redeployed on the destination chain refuses
every message addressed to its predecessor. Bit 7 of the version byte is the message's
kind (:class:`MessageKind`): clear for a ``dispatch`` message, delivered to
``IMessageRecipient.handle``; set (0x82) for an ERC-7786 ``sendMessage`` message, delivered
to ``IERC7786Recipient.receiveMessage`` with the ERC-7930 sender (:mod:`trustspace.bus.interop`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.errors import InputError

__all__ = ["HEADER_SIZE", "VERSION", "Message", "MessageFormatError", "MessageKind"]

VERSION = 2
HEADER_SIZE = 77


class MessageKind(IntEnum):
    """How the destination bus hands a message over (bit 7 of the version byte)."""

    #: ``IMessageRecipient.handle(origin, sender, body)`` (``dispatch``, ``dispatchOrdered``).
    HANDLE = 0x00
    #: ``IERC7786Recipient.receiveMessage(id, ERC-7930 sender, body)`` (``sendMessage``).
    ERC7786 = 0x80


class MessageFormatError(InputError):
    """Bytes that are not a MessageBus message."""


@dataclass(frozen=True)
class Message:
    """One cross-chain message; ``nonce`` is also its leaf index in the origin tree.

    ``destination_bus`` is the MessageBus on chain ``destination`` that may deliver it (the
    origin bus takes it from its governed ``destinationBus(destination)``).
    """

    nonce: int
    origin: int
    sender: str
    destination: int
    destination_bus: str
    recipient: str
    body: bytes
    sequence: int = 0
    version: int = VERSION
    kind: MessageKind = MessageKind.HANDLE

    def encode(self) -> bytes:
        """The packed bytes the contract hashes and emits."""
        return (
            (self.version | self.kind).to_bytes(1, "big")
            + self.nonce.to_bytes(4, "big")
            + self.origin.to_bytes(4, "big")
            + bytes.fromhex(self.sender[2:])
            + self.destination.to_bytes(4, "big")
            + bytes.fromhex(self.destination_bus[2:])
            + bytes.fromhex(self.recipient[2:])
            + self.sequence.to_bytes(4, "big")
            + self.body
        )

    @property
    def id(self) -> bytes:
        """keccak256 of the packed message: its leaf in the tree and its name everywhere."""
        return keccak(self.encode())

    @classmethod
    def decode(cls, raw: bytes) -> Message:
        """Parse packed bytes; MessageFormatError if too short or of another version."""
        if len(raw) < HEADER_SIZE:
            raise MessageFormatError(f"message of {len(raw)} bytes is shorter than its header")
        if raw[0] & 0x7F != VERSION:
            raise MessageFormatError(f"unknown message version {raw[0]}")
        return cls(
            version=VERSION,
            kind=MessageKind(raw[0] & 0x80),
            nonce=int.from_bytes(raw[1:5], "big"),
            origin=int.from_bytes(raw[5:9], "big"),
            sender=to_checksum_address(raw[9:29]),
            destination=int.from_bytes(raw[29:33], "big"),
            destination_bus=to_checksum_address(raw[33:53]),
            recipient=to_checksum_address(raw[53:73]),
            sequence=int.from_bytes(raw[73:77], "big"),
            body=bytes(raw[HEADER_SIZE:]),
        )
