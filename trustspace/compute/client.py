"""Talking to compute parties over HTTP (standard library ``urllib``, synchronous).

The CLI and the demo use these to run key generation across the parties, to
hand a party its organisation's contribution, to fetch contributions and check
each against the digest recorded on chain (a mismatch names the organisation),
and to collect and verify partial decryptions (a wrong one names its party).
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trustspace.compute.documents import (
    DocumentError,
    aggregate_document,
    check_contribution,
    ciphertexts_of,
    digest,
    max_range_bits,
    partials_of,
    verification_keys_of,
)
from trustspace.compute.elgamal import DEFAULT_BOUND
from trustspace.compute.group import Point
from trustspace.compute.threshold import BadShareError, DecryptionError, decrypt_with
from trustspace.errors import InputError, UnreachableError

__all__ = [
    "KeygenResult",
    "PartyError",
    "PartyRefused",
    "PartyUnreachable",
    "build_aggregate",
    "call",
    "collect_contributions",
    "decrypt_aggregate",
    "info",
    "keygen",
    "recheck_totals",
]

_TIMEOUT = 60.0


class PartyError(Exception):
    """Base of the errors a party causes; ``url`` names it."""


class PartyUnreachable(PartyError, UnreachableError):
    """A party did not answer."""


class PartyRefused(PartyError, InputError):
    """A party answered with an error, or with something that fails a check."""


def call(url: str, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
    """One JSON request to the party at ``url``; its JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as err:
        try:
            reason = json.loads(err.read()).get("error", err.reason)
        except ValueError:
            reason = err.reason
        raise PartyRefused(f"party {url} refused {method} {path}: {reason}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise PartyUnreachable(f"party {url} is unreachable: {reason}") from None


def info(url: str) -> dict[str, Any]:
    """``{"org", "index", "key"}`` of a party."""
    answer = call(url, "GET", "/info")
    if not isinstance(answer, dict) or not isinstance(answer.get("org"), int):
        raise PartyRefused(f"party {url} did not describe itself")
    return answer


@dataclass(frozen=True)
class KeygenResult:
    """The key document every party agreed on, and the dealers disqualified by complaints."""

    key: dict[str, Any]
    disqualified: list[int]
    parties: list[dict[str, Any]]


def keygen(
    urls: Sequence[str], threshold: int, step: Callable[[str], None] | None = None
) -> KeygenResult:
    """Run the dealerless key generation among the parties at ``urls``."""
    note = step or (lambda _name: None)
    session = secrets.token_hex(8)
    parties = []
    for index, url in enumerate(urls, start=1):
        parties.append({"index": index, "org": info(url)["org"], "url": url.rstrip("/")})
    orgs = [p["org"] for p in parties]
    if len(set(orgs)) != len(orgs):
        raise PartyRefused("two parties answer for the same organisation")
    for phase, body in (
        ("start", {"session": session, "threshold": threshold, "parties": parties}),
        ("deal", {"session": session}),
        ("check", {"session": session}),
        ("gather", {"session": session}),
    ):
        for p in parties:
            call(p["url"], "POST", f"/dkg/{phase}", body)
            note(phase)
    keys = []
    disqualified: list[int] = []
    for p in parties:
        answer = call(p["url"], "POST", "/dkg/complete", {"session": session})
        keys.append(answer["key"])
        disqualified = answer["disqualified"]
        note("complete")
    for p, key in zip(parties, keys, strict=True):
        if key != keys[0]:
            raise PartyRefused(f"party {p['url']} (organisation {p['org']}) derived another key")
    return KeygenResult(keys[0], disqualified, parties)


def collect_contributions(
    computation: int,
    urls: Mapping[int, str],
    recorded: Mapping[int, bytes],
    key: Mapping[str, Any],
    bound: int = DEFAULT_BOUND,
) -> list[dict[str, Any]]:
    """Fetch each recorded contribution from its organisation's party, check its digest and
    its range proofs.

    ``urls`` maps organisation id -> party URL, ``recorded`` organisation id -> the digest
    on chain. ``PartyRefused`` names the first organisation whose contribution differs from
    its digest or fails its range proofs.
    """
    public_key = Point.from_hex(key["public_key"])
    max_bits = max_range_bits(len(recorded), bound)
    documents = []
    for org, expected in sorted(recorded.items()):
        if org not in urls:
            raise PartyRefused(f"no party given for organisation {org}, which contributed")
        doc = call(urls[org], "GET", f"/computations/{computation}/contribution")
        if not isinstance(doc, dict) or digest(doc) != expected:
            raise PartyRefused(
                f"organisation {org}'s contribution at {urls[org]} differs from the digest "
                f"recorded on chain (0x{expected.hex()})"
            )
        try:
            check_contribution(doc, public_key, max_bits)
        except DocumentError as err:
            raise PartyRefused(f"organisation {org}'s contribution is refused: {err}") from None
        documents.append(doc)
    return documents


def decrypt_aggregate(
    aggregate: Mapping[str, Any],
    key: Mapping[str, Any],
    partial_documents: Mapping[int, Mapping[str, Any]],
    bound: int = DEFAULT_BOUND,
) -> list[int]:
    """Verify every party's partial decryptions of ``aggregate`` and decrypt the totals.

    ``partial_documents`` maps organisation id -> its partials document. A share with a
    failing proof, or made for another aggregate, raises ``PartyRefused`` naming the
    organisation.
    """
    index_of = {int(p["org"]): int(p["index"]) for p in key["parties"]}
    org_of = {i: o for o, i in index_of.items()}
    wanted = digest(aggregate).hex()
    partials = {}
    for org, doc in partial_documents.items():
        if doc.get("aggregate") != wanted or doc.get("org") != org:
            raise PartyRefused(f"organisation {org}'s partial decryption is for another aggregate")
        try:
            partials[index_of[org]] = partials_of(doc)
        except (KeyError, DocumentError) as err:
            raise PartyRefused(
                f"organisation {org}'s partial decryption is malformed: {err}"
            ) from None
    try:
        return decrypt_with(
            ciphertexts_of(aggregate),
            partials,
            verification_keys_of(key),
            int(key["threshold"]),
            bound,
        )
    except BadShareError as err:
        raise PartyRefused(
            f"organisation {org_of[err.party]}'s partial decryption #{err.position} has an "
            "invalid proof: rejected"
        ) from None
    except DecryptionError as err:
        raise PartyRefused(str(err)) from None


def recheck_totals(
    aggregate: Mapping[str, Any],
    key: Mapping[str, Any],
    partial_documents: Mapping[int, Mapping[str, Any]],
    published: Sequence[int] | None,
    bound: int = DEFAULT_BOUND,
) -> tuple[list[int], bool]:
    """Re-derive the totals of ``aggregate`` from verified partial decryptions; and whether
    they equal the ``published`` ones (``False`` when nothing was published)."""
    derived = decrypt_aggregate(aggregate, key, partial_documents, bound)
    return derived, published is not None and list(published) == derived


def build_aggregate(computation: int, contributions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The aggregate document (re-exported so callers need one module)."""
    return aggregate_document(computation, contributions)
