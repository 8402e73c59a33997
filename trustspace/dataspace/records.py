"""Transfer records and their batches: what the clearing-house log commits to.

A transfer record is ``keccak256(abi.encode(agreementId, consumer, payloadDigest, size,
requestId, time))`` (``DataService.transferRecord``). A batch is the Merkle tree of
:mod:`trustspace.notary.tree` over records (the Notary's layout, domain-separated leaves and
nodes), so a consumer's inclusion proof is checked by ``DataService.isTransferIncluded`` or by
:func:`trustspace.notary.tree.verify`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import encode

from trustspace.crypto.hashing import keccak, to_hex
from trustspace.notary.tree import MerkleTree

__all__ = ["TransferRecord", "batch_tree"]


@dataclass(frozen=True)
class TransferRecord:
    """One transfer as the connector served it."""

    agreement_id: int
    consumer: str
    payload_digest: bytes
    size: int
    request_id: bytes
    time: int

    def digest(self) -> bytes:
        """The record hash (a batch leaf's document)."""
        return keccak(
            encode(
                ["uint256", "address", "bytes32", "uint64", "bytes32", "uint40"],
                [
                    self.agreement_id,
                    self.consumer,
                    self.payload_digest,
                    self.size,
                    self.request_id,
                    self.time,
                ],
            )
        )

    def to_json(self) -> dict[str, Any]:
        """JSON form (hex for bytes)."""
        return {
            "agreementId": self.agreement_id,
            "consumer": self.consumer,
            "payloadDigest": to_hex(self.payload_digest),
            "size": self.size,
            "requestId": to_hex(self.request_id),
            "time": self.time,
        }


def batch_tree(records: Sequence[TransferRecord]) -> MerkleTree:
    """The Merkle tree over the records' digests, in order."""
    return MerkleTree([r.digest() for r in records])
