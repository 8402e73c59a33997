"""The JSON documents of a computation and their digests (the values recorded on chain).

Every digest is SHA-256 over the RFC 8785 canonical form (:func:`hash_json`),
so an auditor recomputes it with any JSON canonicaliser. The documents are:
the *key* (scheme, threshold, joint key, each party's organisation and
verification key), a *contribution* (one organisation's ciphertexts), the
*aggregate* (which contributions, and their sum), a *partial* decryption set
(one party's shares with proofs) and the *result* (totals and who decrypted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trustspace.compute.elgamal import DEFAULT_BOUND, Ciphertext, add_vectors
from trustspace.compute.group import Point
from trustspace.compute.rangeproof import DEFAULT_BITS, RangeProof, prove, verify
from trustspace.compute.threshold import PartialDecryption
from trustspace.crypto.hashing import hash_json

__all__ = [
    "SCHEME",
    "DocumentError",
    "aggregate_document",
    "check_contribution",
    "ciphertexts_of",
    "contribution_document",
    "digest",
    "encrypt_contribution",
    "key_document",
    "max_range_bits",
    "partials_of",
    "range_context",
    "verification_keys_of",
]

#: The scheme name every key document carries.
SCHEME = "threshold-exp-elgamal/secp256k1/sha256-chaum-pedersen/v1"


class DocumentError(ValueError):
    """A document is malformed or does not match what it claims."""


def digest(document: Mapping[str, Any]) -> bytes:
    """SHA-256 of the RFC 8785 form of ``document`` (32 bytes, the on-chain value)."""
    return hash_json(dict(document))


def key_document(
    threshold: int, public_key: Point, parties: Mapping[int, tuple[int, Point]]
) -> dict[str, Any]:
    """The joint key: ``parties`` maps a party index to (organisation id, verification key)."""
    return {
        "scheme": SCHEME,
        "threshold": threshold,
        "public_key": public_key.hex(),
        "parties": [
            {"index": i, "org": org, "verification_key": vk.hex()}
            for i, (org, vk) in sorted(parties.items())
        ],
    }


def verification_keys_of(key: Mapping[str, Any]) -> dict[int, Point]:
    """Party index -> verification key of a key document."""
    return {int(p["index"]): Point.from_hex(p["verification_key"]) for p in key["parties"]}


def contribution_document(
    computation: int,
    org: int,
    ciphertexts: Sequence[Ciphertext],
    proofs: Sequence[RangeProof] = (),
    bits: int = DEFAULT_BITS,
) -> dict[str, Any]:
    """One organisation's encrypted values for ``computation``, with their range proofs."""
    return {
        "computation": computation,
        "org": org,
        "ciphertexts": [c.to_json() for c in ciphertexts],
        "range_bits": bits,
        "range_proofs": [p.to_json() for p in proofs],
    }


def range_context(computation: int, org: int, position: int) -> bytes:
    """What a value's range proof is bound to: this computation, organisation and position."""
    return hash_json({"computation": computation, "org": org, "position": position})


def encrypt_contribution(
    computation: int, org: int, public_key: Point, values: Sequence[int], bits: int = DEFAULT_BITS
) -> dict[str, Any]:
    """Encrypt ``values`` with a range proof each; ``ValueError`` if one is out of range."""
    made = [
        prove(range_context(computation, org, i), public_key, v, bits) for i, v in enumerate(values)
    ]
    return contribution_document(computation, org, [c for c, _ in made], [p for _, p in made], bits)


def max_range_bits(contributions: int, bound: int = DEFAULT_BOUND) -> int:
    """The widest range proof each of ``contributions`` may carry so that any sum of them
    stays below ``bound`` (the decryption table)."""
    return (bound // max(1, contributions)).bit_length() - 1


def check_contribution(document: Mapping[str, Any], public_key: Point, max_bits: int) -> None:
    """``DocumentError`` unless every value carries a valid range proof of at most
    ``max_bits`` bits, bound to the document's computation, organisation and position."""
    ciphertexts = ciphertexts_of(document)
    try:
        bits = int(document["range_bits"])
        proofs = [RangeProof.from_json(p) for p in document["range_proofs"]]
        computation, org = int(document["computation"]), int(document["org"])
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentError(f"malformed range proofs: {err}") from None
    if not 1 <= bits <= max_bits or len(proofs) != len(ciphertexts):
        raise DocumentError(f"range proofs missing or wider than {max_bits} bits")
    for i, (ct, proof) in enumerate(zip(ciphertexts, proofs, strict=True)):
        if not verify(range_context(computation, org, i), public_key, ct, proof, bits):
            raise DocumentError(f"value #{i} has an invalid range proof")


def ciphertexts_of(document: Mapping[str, Any]) -> list[Ciphertext]:
    """The ciphertexts of a contribution or aggregate document."""
    try:
        return [Ciphertext.from_json(c) for c in document["ciphertexts"]]
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentError(f"malformed ciphertexts: {err}") from None


def aggregate_document(
    computation: int, contributions: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The homomorphic sum of ``contributions``, naming each by organisation and digest."""
    if not contributions:
        raise DocumentError("no contributions to aggregate")
    ordered = sorted(contributions, key=lambda c: int(c["org"]))
    total = add_vectors([ciphertexts_of(c) for c in ordered])
    return {
        "computation": computation,
        "contributions": [{"org": int(c["org"]), "digest": digest(c).hex()} for c in ordered],
        "ciphertexts": [c.to_json() for c in total],
    }


def partials_of(document: Mapping[str, Any]) -> list[PartialDecryption]:
    """The partial decryptions of a partials document."""
    try:
        return [PartialDecryption.from_json(p) for p in document["partials"]]
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentError(f"malformed partial decryptions: {err}") from None
