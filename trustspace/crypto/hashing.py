"""Document digests: files streamed through SHA-256, JSON records canonicalised per RFC 8785.

Why SHA-256 for documents: it is the digest agencies already publish and check
(``sha256sum``, eIDAS/ETSI signature formats, FIPS 180-4), so a document digest
on chain can be recomputed with any standard tool, in any language, without
Ethereum libraries. Keccak-256 is used only *inside* the Merkle tree
(:mod:`trustspace.notary.tree`) because that is what the EVM hashes natively.

Files are hashed in fixed-size chunks, so memory stays flat whatever the file
size. JSON records go through RFC 8785 (JSON Canonicalization Scheme, the
maintained ``rfc8785`` library): key order, whitespace and number formatting
no longer change the digest, so the same record always gives the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rfc8785

__all__ = [
    "CHUNK_SIZE",
    "DIGEST_ALGORITHM",
    "canonical_json",
    "from_hex",
    "hash_bytes",
    "hash_chunks",
    "hash_file",
    "hash_json",
    "to_hex",
]

try:  # safe-pysha3 (pinned) is ~4x faster per call than eth_hash's pycryptodome backend.
    from sha3 import keccak_256 as _keccak_256

    #: Which library computes Keccak-256 (reported by the benchmarks).
    KECCAK_BACKEND = "safe-pysha3"

    def keccak(data: bytes) -> bytes:
        """Keccak-256 (the EVM's ``keccak256``) of ``data``."""
        return bytes(_keccak_256(data).digest())

except ImportError:  # pragma: no cover - exercised only without safe-pysha3
    from eth_hash.auto import keccak as _eth_keccak

    KECCAK_BACKEND = "eth-hash"

    def keccak(data: bytes) -> bytes:
        """Keccak-256 (the EVM's ``keccak256``) of ``data``."""
        return bytes(_eth_keccak(data))


#: Name of the document digest algorithm, recorded in proof bundles.
DIGEST_ALGORITHM = "sha256"
#: Read size for streaming; 1 MiB keeps syscalls few and memory flat.
CHUNK_SIZE = 1 << 20


def hash_bytes(data: bytes) -> bytes:
    """SHA-256 digest of ``data`` (32 bytes)."""
    return hashlib.sha256(data).digest()


def hash_chunks(chunks: Iterable[bytes]) -> bytes:
    """SHA-256 digest of the concatenation of ``chunks``, without joining them in memory."""
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.digest()


def hash_file(path: str | Path, chunk_size: int = CHUNK_SIZE) -> bytes:
    """SHA-256 digest of the file at ``path``, streamed in ``chunk_size`` pieces."""
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    with open(path, "rb") as f:
        return hash_chunks(iter(lambda: f.read(chunk_size), b""))


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises ``rfc8785.CanonicalizationError`` (a ``ValueError``) for values JSON
    cannot represent exactly, such as NaN or integers beyond IEEE 754 doubles.
    """
    return bytes(rfc8785.dumps(value))


def hash_json(value: Any) -> bytes:
    """SHA-256 digest of the RFC 8785 canonical form of a JSON value."""
    return hash_bytes(canonical_json(value))


def to_hex(digest: bytes) -> str:
    """``0x``-prefixed lower-case hex, the form used in bundles and the CLI."""
    return "0x" + digest.hex()


def from_hex(text: str, length: int = 32) -> bytes:
    """Parse ``0x``-prefixed (or bare) hex of exactly ``length`` bytes."""
    raw = text[2:] if text.startswith(("0x", "0X")) else text
    try:
        value = bytes.fromhex(raw)
    except ValueError as err:
        raise ValueError(f"not hex: {text!r}") from err
    if len(value) != length:
        raise ValueError(f"expected {length} bytes, got {len(value)}: {text!r}")
    return value
