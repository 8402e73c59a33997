"""Proof bundles: one JSON file per notarized document, verifiable offline and on chain.

A bundle names the document digest and how it was notarized: either a single
attestation (record id = keccak256(digest ‖ org id)) or a batch (root, size,
leaf index and proof; batch id = keccak256(root ‖ org id)). Offline checks need
only the bundle and the file; the on-chain check (revocation, expiry,
organisation liveness) is :meth:`trustspace.notary.NotaryClient.bundle_status`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustspace.crypto.hashing import DIGEST_ALGORITHM, from_hex, hash_file, to_hex
from trustspace.errors import InputError
from trustspace.notary.tree import MerkleTree, record_id, verify

BUNDLE_TYPE = "trustspace.bundle"
BUNDLE_VERSION = 1


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

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict with hex strings."""
        return {
            "type": BUNDLE_TYPE,
            "version": BUNDLE_VERSION,
            "document": {
                "name": self.name,
                "digest": to_hex(self.digest),
                "hash": DIGEST_ALGORITHM,
            },
            "attestation": {
                "record_id": to_hex(self.record_id),
                "org_id": self.org_id,
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
            return cls(
                name=doc.get("name"),
                digest=from_hex(doc["digest"]),
                record_id=from_hex(att["record_id"]),
                org_id=int(att["org_id"]),
                schema_id=None if att.get("schema_id") is None else int(att["schema_id"]),
                chain_id=int(att["chain_id"]),
                notary=str(att["notary"]),
                tx_hash=att.get("tx_hash"),
                block_number=att.get("block_number"),
                attested_at=att.get("attested_at"),
                batch=None
                if b is None
                else BatchProof(
                    root=from_hex(b["root"]),
                    size=int(b["size"]),
                    index=int(b["index"]),
                    proof=[from_hex(p) for p in b["proof"]],
                ),
                extra=dict(data.get("extra") or {}),
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


def verify_file(bundle: Bundle, path: str | Path) -> None:
    """Hash the file (streamed) and check it against the bundle offline."""
    verify_offline(bundle, hash_file(path))


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
    """One bundle per document of a batch; ``receipt``: tx_hash, block_number, attested_at."""
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
