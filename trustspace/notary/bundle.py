"""Proof bundles: one JSON file per notarized document, verifiable offline and on chain.

A bundle names the document digest and how it was notarized: either a single
attestation (record id = keccak256(digest ‖ org id)) or a batch (root, size,
leaf index and proof; batch id = keccak256(root ‖ org id)). Offline checks need
only the bundle and the file; the on-chain check (revocation, expiry,
organisation liveness) is :meth:`trustspace.notary.NotaryClient.bundle_status`.

Everything in a bundle is a *claim* of whoever hands it over. The offline check
proves only that the bundle is self-consistent (file, digest, proof, record id
agree); which contract answers for it comes from the relying party
(:mod:`trustspace.notary.trust`), never from ``attestation.notary``.

What a digest covers (``document.encoding``): ``bytes`` — SHA-256 of the file
as stored (the default); ``json-rfc8785`` — SHA-256 of the RFC 8785 canonical
form of the JSON value the file holds (``notarize --json-record``), so that two
encodings of one record (key order, whitespace, number spelling) have one digest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustspace.crypto.hashing import DIGEST_ALGORITHM, from_hex, hash_file, hash_json, to_hex
from trustspace.errors import InputError
from trustspace.notary.tree import MerkleTree, record_id, verify

__all__ = [
    "BUNDLE_TYPE",
    "BUNDLE_VERSION",
    "ENCODINGS",
    "ENCODING_BYTES",
    "ENCODING_JSON",
    "BatchProof",
    "Bundle",
    "BundleError",
    "batch_bundles",
    "document_digest",
    "load_json_record",
    "verify_file",
    "verify_offline",
]

BUNDLE_TYPE = "trustspace.bundle"
BUNDLE_VERSION = 1
#: ``document.encoding``: the digest is of the file's bytes.
ENCODING_BYTES = "bytes"
#: ``document.encoding``: the digest is of the RFC 8785 form of the file's JSON value.
ENCODING_JSON = "json-rfc8785"
ENCODINGS = (ENCODING_BYTES, ENCODING_JSON)


class BundleError(InputError):
    """A bundle is malformed or does not verify; the message says what failed."""


@dataclass(frozen=True)
class BatchProof:
    """Where a document sits in an anchored batch."""

    root: bytes
    size: int
    index: int
    proof: list[bytes]


@dataclass(frozen=True)
class Bundle:
    """Everything needed to check one document."""

    digest: bytes
    org_id: int
    record_id: bytes
    chain_id: int
    notary: str
    name: str | None = None
    schema_id: int | None = None
    batch: BatchProof | None = None
    tx_hash: str | None = None
    block_number: int | None = None
    attested_at: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: The attesting organisation's name when notarized: a claim, shown only as such offline.
    org_name: str | None = None
    #: What the digest covers: :data:`ENCODING_BYTES` or :data:`ENCODING_JSON`.
    encoding: str = ENCODING_BYTES

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict with hex strings."""
        return {
            "type": BUNDLE_TYPE,
            "version": BUNDLE_VERSION,
            "document": {
                "name": self.name,
                "digest": to_hex(self.digest),
                "hash": DIGEST_ALGORITHM,
                "encoding": self.encoding,
            },
            "attestation": {
                "record_id": to_hex(self.record_id),
                "org_id": self.org_id,
                "org_name": self.org_name,
                "schema_id": self.schema_id,
                "chain_id": self.chain_id,
                "notary": self.notary,
                "tx_hash": self.tx_hash,
                "block_number": self.block_number,
                "attested_at": self.attested_at,
            },
            "batch": None
            if self.batch is None
            else {
                "root": to_hex(self.batch.root),
                "size": self.batch.size,
                "index": self.batch.index,
                "proof": [to_hex(p) for p in self.batch.proof],
            },
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Bundle:
        """Parse :meth:`to_json` output; raises ``BundleError`` when malformed."""
        try:
            if data.get("type") != BUNDLE_TYPE:
                raise BundleError(f"not a trustspace bundle: type {data.get('type')!r}")
            if data.get("version") != BUNDLE_VERSION:
                raise BundleError(f"unsupported bundle version {data.get('version')!r}")
            doc, att, b = data["document"], data["attestation"], data.get("batch")
            if doc.get("hash") != DIGEST_ALGORITHM:
                raise BundleError(f"unsupported digest algorithm {doc.get('hash')!r}")
            encoding = doc.get("encoding") or ENCODING_BYTES
            if encoding not in ENCODINGS:
                raise BundleError(f"unsupported document encoding {encoding!r}")
            org_name = att.get("org_name")
            return cls(
                name=doc.get("name"),
                digest=from_hex(doc["digest"]),
                record_id=from_hex(att["record_id"]),
                org_id=_uint(att["org_id"], "attestation.org_id", 256),
                schema_id=None
                if att.get("schema_id") is None
                else _uint(att["schema_id"], "attestation.schema_id", 32),
                chain_id=_uint(att["chain_id"], "attestation.chain_id", 256),
                notary=str(att["notary"]),
                tx_hash=att.get("tx_hash"),
                block_number=att.get("block_number"),
                attested_at=att.get("attested_at"),
                batch=None
                if b is None
                else BatchProof(
                    root=from_hex(b["root"]),
                    size=_uint(b["size"], "batch.size", 48),
                    index=_uint(b["index"], "batch.index", 48),
                    proof=[from_hex(p) for p in b["proof"]],
                ),
                extra=dict(data.get("extra") or {}),
                org_name=None if org_name is None else str(org_name),
                encoding=str(encoding),
            )
        except BundleError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise BundleError(f"malformed bundle: {err}") from err

    def save(self, path: str | Path) -> None:
        """Write the bundle as indented JSON."""
        Path(path).write_text(json.dumps(self.to_json(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Bundle:
        """Read a bundle file."""
        try:
            data = json.loads(Path(path).read_text())
        except json.JSONDecodeError as err:
            raise BundleError(f"{path}: not JSON: {err}") from err
        return cls.from_json(data)


def _uint(value: Any, name: str, bits: int) -> int:
    """A JSON integer of an on-chain ``uint<bits>``: not a float, a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**bits:
        raise BundleError(f"malformed bundle: {name} must be a whole number from 0 to 2^{bits}-1")
    return value


def verify_offline(bundle: Bundle, digest: bytes | None = None) -> None:
    """Check a bundle without a chain; raises ``BundleError`` saying what failed.

    Checks: the document digest (if given) equals the bundle's; for a batch, the
    proof puts the digest under the root at the index; the record id is the one
    the Notary derives from (digest or root, org id).
    """
    if digest is not None and digest != bundle.digest:
        raise BundleError(
            f"document digest {to_hex(digest)} differs from the bundle's {to_hex(bundle.digest)}"
        )
    if bundle.batch is None:
        anchored = bundle.digest
    else:
        b = bundle.batch
        if not verify(b.root, b.size, bundle.digest, b.index, b.proof):
            raise BundleError("the Merkle proof does not put the document under the batch root")
        anchored = b.root
    if record_id(anchored, bundle.org_id) != bundle.record_id:
        raise BundleError("the record id does not match the anchored digest and organisation")


def verify_file(bundle: Bundle, path: str | Path, encoding: str | None = None) -> None:
    """Hash the file as the bundle says (or as ``encoding``) and check it offline."""
    verify_offline(bundle, document_digest(path, encoding or bundle.encoding))


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        raise BundleError(f"duplicate key(s) {', '.join(map(repr, duplicated))}")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise BundleError(f"{name} is not JSON")


def load_json_record(path: str | Path) -> Any:
    """The JSON value of a record file, strictly: UTF-8, no duplicate keys, no NaN/Infinity
    (each would let two different files, or two readers, disagree on the value)."""
    try:
        raw = Path(path).read_bytes().decode("utf-8")
        return json.loads(raw, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except BundleError as err:
        raise BundleError(f"{path}: not a JSON record: {err}") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BundleError(f"{path}: not a JSON record: {err}") from err


def document_digest(path: str | Path, encoding: str = ENCODING_BYTES) -> bytes:
    """The digest of the file at ``path``: SHA-256 of its bytes, or of the RFC 8785 form of
    its JSON value (:data:`ENCODING_JSON`)."""
    if encoding == ENCODING_BYTES:
        return hash_file(path)
    if encoding == ENCODING_JSON:
        try:
            return hash_json(load_json_record(path))
        except ValueError as err:  # rfc8785: a number JSON cannot carry exactly
            if isinstance(err, BundleError):
                raise
            raise BundleError(f"{path}: not a JSON record: {err}") from err
    raise BundleError(f"unsupported document encoding {encoding!r}")


def batch_bundles(
    digests: list[bytes],
    *,
    org_id: int,
    chain_id: int,
    notary: str,
    names: list[str] | None = None,
    schema_id: int | None = None,
    tree: MerkleTree | None = None,
    **receipt: Any,
) -> list[Bundle]:
    """One bundle per document of a batch; ``receipt``: tx_hash, block_number, attested_at,
    and optionally org_name and encoding."""
    tree = tree or MerkleTree(digests)
    rid = record_id(tree.root, org_id)
    return [
        Bundle(
            digest=d,
            name=names[i] if names else None,
            org_id=org_id,
            record_id=rid,
            chain_id=chain_id,
            notary=notary,
            schema_id=schema_id,
            batch=BatchProof(root=tree.root, size=tree.size, index=i, proof=tree.proof(i)),
            **receipt,
        )
        for i, d in enumerate(digests)
    ]
