"""Compact JWS signed ES256K / ES256K-R with secp256k1 keys, checked against Ethereum addresses.

did:ethr documents name their keys by address (``blockchainAccountId``), not by public key,
so a signature is checked the way did-jwt checks it: recover the public key from the
signature (both recovery ids for ES256K, the carried one for ES256K-R) and compare the
address. Signatures are low-s (the form Ethereum and @noble/curves accept).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError
from eth_utils.address import to_checksum_address

from trustspace.did.registry import as_signer
from trustspace.errors import InputError

__all__ = [
    "ALGORITHMS",
    "MAX_TOKEN",
    "DecodedJWS",
    "JWSError",
    "address_of_key",
    "b64url",
    "b64url_decode",
    "decode",
    "public_jwk",
    "recover_addresses",
    "sign",
]

#: The algorithms this module signs and checks (did-jwt's names).
ALGORITHMS = ("ES256K", "ES256K-R")
#: Longest token :func:`decode` reads (characters): a credential is a few KiB; anything far
#: larger is refused before parsing.
MAX_TOKEN = 65_536
_N = int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)


class JWSError(InputError):
    """A token is not a well-formed compact JWS of a supported algorithm."""


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url`; :class:`JWSError` on anything else."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as err:
        raise JWSError(f"not base64url: {text[:16]}…") from err


def _json_part(obj: dict[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":"), sort_keys=False).encode())


def _key(private_key: str | bytes) -> Any:
    raw = (
        bytes.fromhex(private_key.removeprefix("0x"))
        if isinstance(private_key, str)
        else private_key
    )
    return keys.PrivateKey(raw)


def address_of_key(private_key: str | bytes) -> str:
    """The checksummed address of a secp256k1 private key."""
    return str(_key(private_key).public_key.to_checksum_address())


def public_jwk(private_key: str | bytes) -> dict[str, str]:
    """The public JWK (kty EC, crv secp256k1) of a private key."""
    raw = _key(private_key).public_key.to_bytes()
    return {"kty": "EC", "crv": "secp256k1", "x": b64url(raw[:32]), "y": b64url(raw[32:])}


def sign(
    payload: dict[str, Any],
    signer: Any,
    header: dict[str, Any] | None = None,
    alg: str = "ES256K",
) -> str:
    """A compact JWS of ``payload`` (JSON), ``alg`` ES256K (r‖s) or ES256K-R (r‖s‖v).

    ``signer`` is a private key, a :class:`~trustspace.did.registry.Signer` or an ape
    account (which signs the SHA-256 digest as a raw hash).
    """
    if alg not in ALGORITHMS:
        raise JWSError(f"unsupported algorithm {alg}")
    head = {"alg": alg, "typ": "JWT", **(header or {})}
    signing_input = f"{_json_part(head)}.{_json_part(payload)}"
    sig = as_signer(signer).sign_hash(hashlib.sha256(signing_input.encode()).digest())
    r, s, v = int.from_bytes(sig.r, "big"), int.from_bytes(sig.s, "big"), sig.v % 27
    if s > _N // 2:  # Ethereum signers yield low-s; a guard for any other signer
        s, v = _N - s, 1 - v
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if alg == "ES256K-R":
        raw += bytes([v])
    return f"{signing_input}.{b64url(raw)}"


@dataclass(frozen=True)
class DecodedJWS:
    """A compact JWS split and decoded, not yet checked."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def decode(token: str) -> DecodedJWS:
    """Split and decode a compact JWS; :class:`JWSError` if it is not one (nor longer than
    :data:`MAX_TOKEN`, nor JSON nested deeper than the parser's recursion limit)."""
    if len(token) > MAX_TOKEN:
        raise JWSError(f"token longer than {MAX_TOKEN} characters")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JWSError("not a compact JWS (three dot-separated parts)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise JWSError("JWS header or payload is not JSON") from err
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JWSError("JWS header and payload must be JSON objects")
    if header.get("alg") not in ALGORITHMS:
        raise JWSError(f"unsupported algorithm {header.get('alg')!r}")
    return DecodedJWS(header, payload, f"{parts[0]}.{parts[1]}".encode(), b64url_decode(parts[2]))


def recover_addresses(decoded: DecodedJWS) -> set[str]:
    """The addresses whose key could have made the signature (empty if it is malformed)."""
    sig = decoded.signature
    alg = decoded.header.get("alg")
    if alg == "ES256K" and len(sig) == 64:
        recids = [0, 1]
    elif alg == "ES256K-R" and len(sig) == 65 and sig[64] in (0, 1, 27, 28):
        recids = [sig[64] % 27]
    else:
        return set()
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big")
    if not (0 < r < _N and 0 < s <= _N // 2):
        return set()
    digest = hashlib.sha256(decoded.signing_input).digest()
    found: set[str] = set()
    for v in recids:
        try:
            pub = keys.Signature(vrs=(v, r, s)).recover_public_key_from_msg_hash(digest)
        except (BadSignature, ValidationError):
            continue
        found.add(to_checksum_address(pub.to_canonical_address()))
    return found
