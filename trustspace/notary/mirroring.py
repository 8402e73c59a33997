"""Mirroring Notary records to another chain, and checking them there.

On the origin chain the attesting organisation's notary sends a record (an attestation or
a whole batch, with its revocation if any) with :func:`mirror_record`, and the revocation of
one document of a batch with :func:`mirror_document_revocation`; the message bus carries
both to the peer Notary of the destination, which keeps the record as the foreign record
``foreignId(origin chain, record id)``. On the destination, :func:`verify_mirrored_document`
checks a document of a mirrored batch twice: its proof in Python against the foreign record
(the proof must re-derive the origin's batch id from the document, as on the origin), and
the destination Notary's own answer (``documentStatus``: inclusion, revocation of the batch
and of the document, expiry, liveness of the organisation on the destination).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trustspace.crypto.hashing import to_hex
from trustspace.notary.client import Kind, NotaryClient, Status
from trustspace.notary.preflight import foreign_id
from trustspace.notary.tree import depth_for, record_id, root_from_proof

__all__ = [
    "MirroredDocument",
    "Sent",
    "included_in_record",
    "mirror_document_revocation",
    "mirror_record",
    "verify_mirrored_document",
]


@dataclass(frozen=True)
class Sent:
    """What a mirroring transaction dispatched."""

    message_id: bytes
    foreign_id: bytes
    tx: Any


@dataclass(frozen=True)
class MirroredDocument:
    """A document of a mirrored batch, as the destination sees it."""

    foreign_id: bytes
    origin_chain_id: int
    origin_batch_id: bytes
    #: The proof re-derives the origin's batch id from the document (checked in Python).
    proof_ok: bool
    #: The destination Notary's answer (``documentStatus`` on the foreign batch).
    status: Status

    @property
    def valid(self) -> bool:
        """Only when both the Python check and the chain say so."""
        return self.proof_ok and self.status == Status.VALID

    def to_json(self) -> dict[str, Any]:
        return {
            "foreign_id": to_hex(self.foreign_id),
            "origin_chain_id": self.origin_chain_id,
            "origin_batch_id": to_hex(self.origin_batch_id),
            "proof_ok": self.proof_ok,
            "status": self.status.name,
            "valid": self.valid,
        }


def _message_id(tx: Any, event: Any) -> bytes:
    (log,) = tx.decode_logs(event)
    value = log.messageId
    raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
    return raw.rjust(32, b"\x00")


def mirror_record(client: NotaryClient, rid: bytes, destination: int, *, sender: Any) -> Sent:
    """Send record ``rid`` (attestation or batch, revoked or not) to chain ``destination``."""
    tx = client.contract.mirror(rid, destination, sender=sender)
    return Sent(_message_id(tx, client.contract.Mirrored), foreign_id(client.chain_id, rid), tx)


def mirror_document_revocation(
    client: NotaryClient,
    batch_id: bytes,
    document: bytes,
    index: int,
    proof: Sequence[bytes],
    destination: int,
    *,
    sender: Any,
) -> Sent:
    """Send the revocation of ``document`` (leaf ``index`` of batch ``batch_id``, revoked with
    ``revokeDocument``) to chain ``destination``; the batch travels with it."""
    tx = client.contract.mirrorDocumentRevocation(
        batch_id, document, index, list(proof), destination, sender=sender
    )
    return Sent(
        _message_id(tx, client.contract.DocumentRevocationMirrored),
        foreign_id(client.chain_id, batch_id),
        tx,
    )


def included_in_record(
    batch_id: bytes, org_id: int, size: int, document: bytes, index: int, proof: Sequence[bytes]
) -> bool:
    """The Notary's inclusion rule in Python: ``proof`` puts ``document`` at leaf ``index`` of
    the ``size``-leaf batch that organisation ``org_id`` anchored as ``batch_id``."""
    if size < 1 or not 0 <= index < size or len(proof) != depth_for(size):
        return False
    if len(document) != 32 or any(len(s) != 32 for s in proof):
        return False
    return record_id(root_from_proof(document, index, proof), org_id) == batch_id


def verify_mirrored_document(
    destination: NotaryClient,
    origin_chain_id: int,
    batch_id: bytes,
    document: bytes,
    index: int,
    proof: Sequence[bytes],
) -> MirroredDocument:
    """Check ``document`` of batch ``batch_id`` of chain ``origin_chain_id`` on the
    destination Notary ``destination`` (see the module docstring). A batch not (yet)
    mirrored reads UNKNOWN with ``proof_ok`` False."""
    fid = foreign_id(origin_chain_id, batch_id)
    rec = destination.record(fid)
    proof_ok = rec.kind == Kind.FOREIGN and included_in_record(
        batch_id, rec.org_id, rec.size, document, index, proof
    )
    status = destination.document_status(fid, document, index, proof)
    return MirroredDocument(fid, origin_chain_id, batch_id, proof_ok, status)
