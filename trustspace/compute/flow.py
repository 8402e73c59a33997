"""The steps of a computation, each checked against the chain before it acts.

Used by the CLI (:mod:`trustspace.cli.compute`) and the demo. Every document a
step fetches from a party is compared with the digest on chain first; a
mismatch raises :class:`~trustspace.compute.client.PartyRefused` naming the
organisation. Parties that do not answer are skipped where the protocol allows
(up to n - k offline at decryption).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trustspace.compute.client import (
    PartyError,
    PartyRefused,
    PartyUnreachable,
    call,
    collect_contributions,
    decrypt_aggregate,
    recheck_totals,
)
from trustspace.compute.documents import aggregate_document, digest, encrypt_contribution
from trustspace.compute.elgamal import DEFAULT_BOUND
from trustspace.compute.group import Point
from trustspace.compute.records import ComputationRecords

__all__ = [
    "Published",
    "Verification",
    "aggregate",
    "contribute",
    "fetch_aggregate",
    "publish",
    "share",
    "verify",
]


def _key_checked(records: ComputationRecords, computation: int, key: Mapping[str, Any]) -> None:
    expected = records.state(computation).key_digest
    if digest(key) != expected:
        raise PartyRefused(
            f"the party's key is not computation {computation}'s key "
            f"(chain: 0x{expected.hex()}, party: 0x{digest(key).hex()})"
        )


def contribute(
    records: ComputationRecords,
    sender: Any,
    computation: int,
    party_url: str,
    key: Mapping[str, Any],
    org: int,
    values: Sequence[int],
) -> dict[str, Any]:
    """Encrypt ``values`` under the computation's key, record their digest, then hand them
    to the organisation's own party (where the others fetch them): the party keeps only
    the document whose digest its organisation recorded on chain."""
    _key_checked(records, computation, key)
    document = encrypt_contribution(computation, org, Point.from_hex(key["public_key"]), values)
    records.contribute(sender, computation, digest(document))
    call(party_url, "PUT", f"/computations/{computation}/contribution", document)
    return document


def aggregate(
    records: ComputationRecords,
    sender: Any,
    computation: int,
    key: Mapping[str, Any],
    urls: Mapping[int, str],
) -> dict[str, Any]:
    """Fetch every recorded contribution, check it against its digest, sum and record; then
    hand the aggregate with its contributions to every party that answers (each checks it
    against the chain before it keeps it)."""
    _key_checked(records, computation, key)
    state = records.state(computation)
    documents = collect_contributions(computation, urls, state.contributions, key)
    document = aggregate_document(computation, documents)
    records.record_aggregate(sender, computation, digest(document), sorted(state.contributions))
    bundle = {"aggregate": document, "contributions": documents}
    for url in urls.values():
        try:
            call(url, "PUT", f"/computations/{computation}/aggregate", bundle)
        except PartyUnreachable:
            continue
    return document


def fetch_aggregate(
    records: ComputationRecords, computation: int, urls: Sequence[str]
) -> dict[str, Any]:
    """The aggregate document, from the first party that keeps one matching the chain."""
    expected = records.state(computation).aggregate_digest
    if expected is None:
        raise PartyRefused(f"computation {computation} has no aggregate recorded yet")
    for url in urls:
        try:
            document = call(url, "GET", f"/computations/{computation}/aggregate")
        except PartyError:
            continue
        if isinstance(document, dict) and digest(document) == expected:
            return document
    raise PartyRefused(f"no party keeps computation {computation}'s recorded aggregate")


def share(
    records: ComputationRecords, sender: Any, computation: int, party_url: str
) -> dict[str, Any]:
    """Ask the organisation's own party for its partial decryption of the recorded aggregate
    and record the digest of the answer."""
    expected = records.state(computation).aggregate_digest
    if expected is None:
        raise PartyRefused(f"computation {computation} has no aggregate recorded yet")
    partials = call(party_url, "POST", f"/computations/{computation}/partial", {})
    if not isinstance(partials, dict) or partials.get("aggregate") != expected.hex():
        raise PartyRefused(f"party {party_url} decrypted another aggregate")
    records.record_share(sender, computation, digest(partials))
    return partials


@dataclass(frozen=True)
class Published:
    """What :func:`publish` decrypted and recorded."""

    totals: list[int]
    share_orgs: list[int]
    offline: list[int]
    document: dict[str, Any]


def publish(
    records: ComputationRecords,
    sender: Any,
    computation: int,
    key: Mapping[str, Any],
    document: Mapping[str, Any],
    urls: Mapping[int, str],
    bound: int = DEFAULT_BOUND,
) -> Published:
    """Fetch the recorded partial decryptions from the parties that answer, check each
    against its digest on chain and its proofs, decrypt the totals and publish them."""
    _key_checked(records, computation, key)
    state = records.state(computation)
    if state.aggregate_digest is None or digest(document) != state.aggregate_digest:
        raise PartyRefused(f"this aggregate is not the one recorded for computation {computation}")
    partials: dict[int, dict[str, Any]] = {}
    offline = []
    for org, expected in sorted(state.shares.items()):
        if org not in urls:
            offline.append(org)
            continue
        try:
            fetched = call(urls[org], "GET", f"/computations/{computation}/partial")
        except PartyError:
            offline.append(org)
            continue
        if not isinstance(fetched, dict) or digest(fetched) != expected:
            raise PartyRefused(
                f"organisation {org}'s partial decryption differs from the digest recorded on chain"
            )
        partials[org] = fetched
    totals = decrypt_aggregate(document, key, partials, bound)
    share_orgs = sorted(partials)
    result = {
        "computation": computation,
        "aggregate": state.aggregate_digest.hex(),
        "totals": totals,
        "shares": [{"org": o, "digest": state.shares[o].hex()} for o in share_orgs],
    }
    records.publish(sender, computation, digest(result), totals, share_orgs)
    return Published(totals, share_orgs, offline, result)


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` re-derived from the recorded aggregate and partial decryptions."""

    derived: list[int]
    published: list[int] | None
    matches: bool
    share_orgs: list[int]

    def to_json(self) -> dict[str, Any]:
        return {
            "derived_totals": self.derived,
            "published_totals": self.published,
            "matches": self.matches,
            "share_orgs": self.share_orgs,
        }


def verify(
    records: ComputationRecords,
    computation: int,
    key: Mapping[str, Any],
    urls: Mapping[int, str],
    published: Sequence[int] | None,
    bound: int = DEFAULT_BOUND,
) -> Verification:
    """Re-derive the totals off chain from the recorded aggregate and the recorded partial
    decryptions (each checked against its digest on chain and its proofs) and compare them
    with the ``published`` totals (from the ``Published`` event)."""
    _key_checked(records, computation, key)
    state = records.state(computation)
    document = fetch_aggregate(records, computation, list(urls.values()))
    partials: dict[int, dict[str, Any]] = {}
    for org, expected in sorted(state.shares.items()):
        if org not in urls:
            continue
        try:
            fetched = call(urls[org], "GET", f"/computations/{computation}/partial")
        except PartyError:
            continue
        if not isinstance(fetched, dict) or digest(fetched) != expected:
            raise PartyRefused(
                f"organisation {org}'s partial decryption differs from the digest recorded on chain"
            )
        partials[org] = fetched
    derived, matches = recheck_totals(document, key, partials, published, bound)
    return Verification(
        derived, None if published is None else list(published), matches, sorted(partials)
    )
