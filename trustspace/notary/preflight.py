"""Checks a Notary call would fail, made before sending, with what to do instead.

The contract refuses these itself (custom errors); asking first lets a command say
"already notarized as record 0x… on 2026-…" or "TEST::3 has no NOTARY role" in one
line, instead of a revert the user must decode, and sends nothing that would fail.
Every function raises :class:`PreflightError` (an :class:`~trustspace.errors.InputError`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eth_abi.abi import encode

from trustspace.consortium.constants import Role
from trustspace.crypto.hashing import keccak, to_hex
from trustspace.errors import InputError
from trustspace.notary.client import Kind, NotaryClient, Record
from trustspace.notary.tree import record_id

__all__ = [
    "PreflightError",
    "check_attest",
    "check_mirror",
    "check_mirror_revocation",
    "check_revoke",
    "check_schema",
    "foreign_id",
    "notary_org",
    "utc",
]


class PreflightError(InputError):
    """A Notary call that would revert; the message says why and what to do."""


def utc(ts: int) -> str:
    """``2026-12-02 18:51:00 UTC``."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def foreign_id(origin_chain_id: int, origin_id: bytes) -> bytes:
    """``Notary.foreignId``: the id a record of ``origin_chain_id`` has on a destination."""
    return keccak(encode(["uint32", "bytes32"], [origin_chain_id, origin_id]))


def _address(account: Any) -> str:
    return str(getattr(account, "address", account))


def notary_org(client: NotaryClient, account: Any, what: str) -> int:
    """The organisation in which ``account`` holds the NOTARY role; refused if none."""
    address = _address(account)
    org_id = int(client.consortium.org_with_role(address, int(Role.NOTARY)))
    if org_id == 0:
        member = int(client.consortium.org_of(address))
        where = (
            f"it belongs to organisation {member}" if member else "it belongs to no organisation"
        )
        raise PreflightError(
            f"{what} ({address}) has no NOTARY role in Consortium {client.consortium.address} "
            f"({where}): ask your organisation's admins to grant it through a governance "
            "proposal (grant_role NOTARY), or sign with another --account; nothing was sent"
        )
    return org_id


def _existing(client: NotaryClient, rid: bytes) -> str:
    rec = client.record(rid)
    block = _record_block(client, rid)
    when = utc(rec.attested_at) + (f", block {block}" if block is not None else "")
    return f"record {to_hex(rid)} ({when})"


def _record_block(client: NotaryClient, rid: bytes) -> int | None:
    """The block of ``rid``'s Attested/BatchAnchored event, if the provider serves logs."""
    from trustspace.event_logs import ape_logs

    try:
        for event in (client.contract.Attested, client.contract.BatchAnchored):
            for log in ape_logs(event, 0, search_topics={"id": rid}):
                return int(log.block_number)
    except Exception:
        return None
    return None


def check_schema(client: NotaryClient, schema_id: int) -> None:
    """The schema must exist and not be deprecated."""
    s = client.schema(schema_id)
    if s["org_id"] == 0:
        count = int(client.contract.schemaCount())
        known = f"schemas 1…{count} exist" if count else "no schema is registered yet"
        raise PreflightError(
            f"unknown schema {schema_id} on Notary {client.address} ({known}): register one "
            "with `trustspace schema register`, or see `trustspace schema list`; nothing was sent"
        )
    if s["deprecated_at"]:
        raise PreflightError(
            f"schema {schema_id} ({s['name']} {s['version']}) was deprecated at "
            f"{utc(s['deprecated_at'])}: use its successor; nothing was sent"
        )


def check_attest(
    client: NotaryClient,
    sender: Any,
    *,
    digests: list[tuple[str, bytes]],
    schema_id: int,
    parent: bytes | None = None,
    expires_at: int = 0,
    now: int | None = None,
) -> int:
    """Everything ``attest`` / ``anchorBatch`` checks, for each ``(label, digest)`` to be
    anchored (a file's digest, or a batch's root); returns the sender's organisation."""
    org_id = notary_org(client, sender, "the signing account")
    check_schema(client, schema_id)
    if expires_at and now is not None and expires_at <= now:
        raise PreflightError(
            f"--expires-at {expires_at} ({utc(expires_at)}) is not after the chain's time "
            f"{utc(now)}: give a later time, or 0 for never; nothing was sent"
        )
    if parent is not None and not client.record(parent).exists:
        raise PreflightError(
            f"unknown parent record {to_hex(parent)} on Notary {client.address}: nothing was sent"
        )
    for label, digest in digests:
        rid = record_id(digest, org_id)
        if client.record(rid).exists:
            raise PreflightError(
                f"{label} is already notarized by organisation {org_id} as {_existing(client, rid)}"
                ": verify it with `trustspace verify` and its bundle (a document is notarized "
                "once per organisation); nothing was sent"
            )
    return org_id


def check_revoke(client: NotaryClient, sender: Any, rec: Record, document: bytes | None) -> None:
    """The sender may revoke ``rec`` (or its ``document``)."""
    if rec.kind == Kind.FOREIGN:
        raise PreflightError(
            f"record {to_hex(rec.id)} is a mirror of a record of another chain: revoke it on its "
            "origin chain and mirror the revocation (`trustspace mirror`); nothing was sent"
        )
    if document is not None and rec.kind != Kind.BATCH:
        raise PreflightError(
            f"record {to_hex(rec.id)} is a single attestation, not a batch: revoke it without "
            "--document; nothing was sent"
        )
    org_id = notary_org(client, sender, "the signing account")
    if org_id != rec.org_id:
        raise PreflightError(
            f"the signing account {_address(sender)} is a notary of organisation {org_id}, but "
            f"record {to_hex(rec.id)} was attested by organisation {rec.org_id}: only that "
            "organisation's notaries may revoke it; nothing was sent"
        )


def check_mirror(client: NotaryClient, sender: Any, rec: Record, destination: int) -> str:
    """The sender may mirror ``rec`` (an attestation or a batch) to chain ``destination``;
    returns the peer Notary there."""
    if not rec.exists:
        raise PreflightError(
            f"no record {to_hex(rec.id)} on Notary {client.address} (chain {client.chain_id}): "
            "nothing was sent"
        )
    if rec.kind == Kind.FOREIGN:
        raise PreflightError(
            f"record {to_hex(rec.id)} is itself a mirror of another chain's record: mirror it "
            "from its origin chain; nothing was sent"
        )
    if destination == client.chain_id:
        raise PreflightError(f"--to {destination} is this chain: nothing was sent")
    org_id = notary_org(client, sender, "the signing account")
    if org_id != rec.org_id:
        raise PreflightError(
            f"record {to_hex(rec.id)} was attested by organisation {rec.org_id}, not by the "
            f"signing account's organisation {org_id}: only the attester mirrors; nothing was sent"
        )
    bus, peer = (str(v) for v in client.contract.mirroring(destination))
    if int(peer, 16) == 0:
        raise PreflightError(
            f"the Notary {client.address} has no peer Notary for chain {destination}: the "
            "Consortium must wire it first (`trustspace deploy wire`); nothing was sent"
        )
    if int(bus, 16) == 0:
        raise PreflightError(
            f"the Notary {client.address} has no message bus set: the Consortium must wire it "
            "first (`trustspace deploy wire`); nothing was sent"
        )
    return peer


def check_mirror_revocation(
    client: NotaryClient,
    sender: Any,
    rec: Record,
    document: bytes,
    index: int,
    proof: list[bytes],
    destination: int,
) -> str:
    """The sender may mirror the revocation of ``document`` (leaf ``index`` of batch ``rec``,
    ``proof``) to chain ``destination``; returns the peer Notary there."""
    if rec.exists and rec.kind != Kind.BATCH and rec.kind != Kind.FOREIGN:
        raise PreflightError(
            f"record {to_hex(rec.id)} is a single attestation, not a batch: mirror its "
            "revocation with `trustspace mirror RECORD_ID`; nothing was sent"
        )
    peer = check_mirror(client, sender, rec, destination)
    revoked_at, _reason = (int(v) for v in client.contract.documentRevocation(rec.id, document))
    if not revoked_at:
        raise PreflightError(
            f"document {to_hex(document)} of batch {to_hex(rec.id)} is not revoked: revoke it "
            "first (`trustspace revoke --bundle FILE`), or mirror the batch itself with "
            "`trustspace mirror BATCH_ID`; nothing was sent"
        )
    if not client.contract.verifyInclusion(rec.id, document, index, proof):
        raise PreflightError(
            f"the proof does not put document {to_hex(document)} at leaf {index} of batch "
            f"{to_hex(rec.id)}: use the document's own bundle; nothing was sent"
        )
    return peer
