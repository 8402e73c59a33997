"""Selective disclosure: commit to every field of a record, reveal only some.

Scheme, format version 2 (see ``docs/notary.md``):

* field *i* is committed as ``keccak256(FIELD_TAG ‖ salt_i ‖ RFC8785([name, value]))``
  with a fresh 32-byte random ``salt_i``. The salt keeps a low-entropy value (a
  yes/no flag, a birth year) from being guessed by hashing candidates. The tag
  and the hash function keep a field commitment apart from a document digest:
  documents are SHA-256 digests of arbitrary bytes, so a file that *contains*
  ``salt ‖ ["vat_exempt", true]`` (or the tag too) still hashes to a SHA-256
  value, never to a keccak256 commitment;
* the leaves are the commitments **sorted by value** (plus optional random
  decoys, :func:`commit` ``pad_to``). Commitments are uniformly random to anyone
  without the salts, so the leaf order is a random permutation of the fields:
  a revealed field's index says nothing about the names, values or presence
  of hidden fields (format 1 sorted by name, and the index told whether an
  optional field sorting earlier was present). The verifier checks that the
  revealed indices ascend with the commitments;
* the commitments are the documents of a Notary batch
  (:class:`trustspace.notary.tree.MerkleTree`) anchored with
  ``anchorBatch(root, size, schemaId, ...)`` under the anchoring organisation's
  **disclosure schema** (:data:`SCHEMA_NAME` / :data:`SCHEMA_VERSION`, see
  ``NotaryClient.anchor_disclosure``). The record type is bound on chain: a
  verifier accepts a root only if ``record(batchId).schemaId ==
  schemaIdOf(orgId, SCHEMA_NAME, SCHEMA_VERSION)``, so an ordinary batch (an
  inbox of filed documents) can never pose as a disclosure
  (``NotaryClient.check_disclosure``);
* a disclosure carries, per revealed field, the name, value, salt, index and
  proof; the proof's siblings are hashes and reveal nothing about the other
  fields except their number (the batch size; pad records of one schema to one
  size with ``pad_to`` so that the size says nothing about optional fields).

Format 1 documents (SHA-256 commitments sorted by name, no record type) are
refused by :meth:`Disclosure.from_json` and :meth:`Commitment.from_json`: they
cannot be told apart from a batch document (finding 9 of issue 11), so they
cannot be verified safely. A holder of a format-1 commitment commits the record
again (fresh salts) and has the new root anchored.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trustspace.crypto.hashing import canonical_json, from_hex, hash_json, keccak, to_hex
from trustspace.errors import InputError
from trustspace.notary.tree import MerkleTree, record_id, verify

__all__ = [
    "COMMITMENT_TYPE",
    "DISCLOSURE_TYPE",
    "FIELD_TAG",
    "FORMAT_VERSION",
    "SALT_BYTES",
    "SCHEMA_DEFINITION",
    "SCHEMA_DEFINITION_HASH",
    "SCHEMA_NAME",
    "SCHEMA_URI",
    "SCHEMA_VERSION",
    "Commitment",
    "DisclosedField",
    "Disclosure",
    "DisclosureError",
    "commit",
    "field_commitment",
    "verify_disclosure",
]

SALT_BYTES = 32
DISCLOSURE_TYPE = "trustspace.disclosure"
COMMITMENT_TYPE = "trustspace.commitment"
#: The format written and the only one read.
FORMAT_VERSION = 2
#: Domain tag of a field commitment (NUL-terminated so no other tag is a prefix of it).
FIELD_TAG = b"trustspace.disclosure.field.v2\x00"

#: The schema (per organisation) under which disclosure roots are anchored, and nothing else.
SCHEMA_NAME = "trustspace.disclosure"
SCHEMA_VERSION = str(FORMAT_VERSION)
SCHEMA_URI = "urn:trustspace:schema:disclosure:2"
#: What the schema's ``definitionHash`` commits to (``hash_json`` of this object).
SCHEMA_DEFINITION: dict[str, Any] = {
    "type": DISCLOSURE_TYPE,
    "version": FORMAT_VERSION,
    "leaf": "keccak256(FIELD_TAG || salt || RFC8785([name, value]))",
    "field_tag": FIELD_TAG.decode("ascii").rstrip("\x00"),
    "salt_bytes": SALT_BYTES,
    "order": "leaves sorted by value, random decoys allowed",
}
SCHEMA_DEFINITION_HASH = hash_json(SCHEMA_DEFINITION)


class DisclosureError(InputError):
    """A disclosure does not verify; the message says which field and why."""


def field_commitment(name: str, value: Any, salt: bytes) -> bytes:
    """The 32-byte commitment to one field.

    ``keccak256(FIELD_TAG ‖ salt ‖ RFC 8785 of [name, value])``.
    """
    if len(salt) != SALT_BYTES:
        raise ValueError(f"salt must be {SALT_BYTES} bytes, got {len(salt)}")
    return keccak(FIELD_TAG + salt + canonical_json([name, value]))


def _check_version(data: Mapping[str, Any], what: str, advice: str) -> None:
    version = data.get("version", 1)
    if version != FORMAT_VERSION:
        raise DisclosureError(
            f"{what} format version {version!r} is not accepted (this software reads version "
            f"{FORMAT_VERSION}); version 1 leaks hidden fields and cannot be told apart from a "
            f"batch document: {advice}"
        )


@dataclass(frozen=True)
class DisclosedField:
    """One revealed field with what is needed to check it against the root."""

    name: str
    value: Any
    salt: bytes
    index: int
    proof: list[bytes]

    @property
    def commitment(self) -> bytes:
        """The leaf document this field claims to be."""
        return field_commitment(self.name, self.value, self.salt)


@dataclass(frozen=True)
class Disclosure:
    """What a holder hands to a verifier: the root, the tree size and the revealed fields."""

    root: bytes
    size: int
    fields: list[DisclosedField]
    org_id: int | None = None
    batch_id: bytes | None = None
    chain_id: int | None = None
    notary: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (hex strings for bytes)."""
        return {
            "type": DISCLOSURE_TYPE,
            "version": FORMAT_VERSION,
            "root": to_hex(self.root),
            "size": self.size,
            "org_id": self.org_id,
            "batch_id": to_hex(self.batch_id) if self.batch_id else None,
            "chain_id": self.chain_id,
            "notary": self.notary,
            "fields": [
                {
                    "name": f.name,
                    "value": f.value,
                    "salt": to_hex(f.salt),
                    "index": f.index,
                    "proof": [to_hex(p) for p in f.proof],
                }
                for f in self.fields
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Disclosure:
        """Parse :meth:`to_json` output; raises ``DisclosureError`` on a malformed document
        or one of another format version."""
        try:
            if data.get("type") != DISCLOSURE_TYPE:
                raise DisclosureError(f"not a disclosure: type {data.get('type')!r}")
            _check_version(data, "disclosure", "ask the holder for a new disclosure")
            return cls(
                root=from_hex(data["root"]),
                size=int(data["size"]),
                org_id=None if data.get("org_id") is None else int(data["org_id"]),
                batch_id=from_hex(data["batch_id"]) if data.get("batch_id") else None,
                chain_id=None if data.get("chain_id") is None else int(data["chain_id"]),
                notary=data.get("notary"),
                fields=[
                    DisclosedField(
                        name=str(f["name"]),
                        value=f["value"],
                        salt=from_hex(f["salt"], SALT_BYTES),
                        index=int(f["index"]),
                        proof=[from_hex(p) for p in f["proof"]],
                    )
                    for f in data["fields"]
                ],
            )
        except (KeyError, TypeError, ValueError) as err:
            if isinstance(err, DisclosureError):
                raise
            raise DisclosureError(f"malformed disclosure: {err}") from err


@dataclass
class Commitment:
    """The holder's secret side: every field with its salt, the decoys, and the tree over them."""

    record: dict[str, Any]
    salts: dict[str, bytes]
    #: Where the root was anchored: {"org_id", "chain_id", "notary", "batch_id", "tx_hash"}.
    anchor: dict[str, Any] | None = None
    #: Random 32-byte leaves that pad the tree (they open to nothing).
    decoys: list[bytes] = field(default_factory=list)
    #: Leaf position of each field.
    positions: dict[str, int] = field(init=False)
    tree: MerkleTree = field(init=False)

    def __post_init__(self) -> None:
        if not self.record:
            raise ValueError("a record needs at least one field")
        if set(self.salts) != set(self.record):
            raise ValueError("every field needs exactly one salt")
        if any(len(d) != 32 for d in self.decoys):
            raise ValueError("every decoy must be 32 bytes")
        commitments = {n: field_commitment(n, v, self.salts[n]) for n, v in self.record.items()}
        leaves = sorted([*commitments.values(), *self.decoys])
        if len(set(leaves)) != len(leaves):
            raise ValueError("a decoy repeats a leaf")
        where = {c: i for i, c in enumerate(leaves)}
        self.positions = {n: where[c] for n, c in commitments.items()}
        self.tree = MerkleTree(leaves)

    @property
    def names(self) -> list[str]:
        """Field names in leaf order (the order reveals nothing: it follows the commitments)."""
        return sorted(self.positions, key=self.positions.__getitem__)

    @property
    def root(self) -> bytes:
        """The root to anchor (``NotaryClient.anchor_disclosure``)."""
        return self.tree.root

    @property
    def size(self) -> int:
        """Number of leaves (fields and decoys), the batch size to anchor."""
        return self.tree.size

    def disclose(
        self,
        names: Iterable[str],
        *,
        org_id: int | None = None,
        chain_id: int | None = None,
        notary: str | None = None,
    ) -> Disclosure:
        """Reveal the fields in ``names`` (and nothing else) with their proofs."""
        if self.anchor:
            org_id = self.anchor.get("org_id") if org_id is None else org_id
            chain_id = self.anchor.get("chain_id") if chain_id is None else chain_id
            notary = self.anchor.get("notary") if notary is None else notary
        chosen = set(names)
        unknown = sorted(n for n in chosen if n not in self.record)
        if unknown:
            raise KeyError(f"no such field(s): {', '.join(unknown)}")
        # Listed in leaf order, not by name: the list order says no more than the indices.
        ordered = sorted(chosen, key=self.positions.__getitem__)
        return Disclosure(
            root=self.root,
            size=self.size,
            org_id=org_id,
            batch_id=record_id(self.root, org_id) if org_id is not None else None,
            chain_id=chain_id,
            notary=notary,
            fields=[
                DisclosedField(
                    name=n,
                    value=self.record[n],
                    salt=self.salts[n],
                    index=self.positions[n],
                    proof=self.tree.proof(self.positions[n]),
                )
                for n in ordered
            ],
        )

    def to_json(self) -> dict[str, Any]:
        """The holder's private file: values and salts. Never share it; share disclosures."""
        return {
            "type": COMMITMENT_TYPE,
            "version": FORMAT_VERSION,
            "root": to_hex(self.root),
            "record": self.record,
            "salts": {n: to_hex(s) for n, s in self.salts.items()},
            "decoys": [to_hex(d) for d in self.decoys],
            "anchor": self.anchor,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Commitment:
        """Load :meth:`to_json` output and check the root still matches.

        Raises ``ValueError`` (``DisclosureError`` for another format version).
        """
        if data.get("type") != COMMITMENT_TYPE:
            raise ValueError(f"not a commitment: type {data.get('type')!r}")
        _check_version(data, "commitment", "commit the record again and have the new root anchored")
        c = cls(
            record=dict(data["record"]),
            salts={n: from_hex(s, SALT_BYTES) for n, s in data["salts"].items()},
            anchor=data.get("anchor"),
            decoys=[from_hex(d) for d in data.get("decoys", [])],
        )
        if "root" in data and from_hex(data["root"]) != c.root:
            raise ValueError("commitment file is inconsistent: root does not match fields")
        return c


def commit(
    record: Mapping[str, Any],
    salts: Mapping[str, bytes] | None = None,
    *,
    pad_to: int | None = None,
    decoys: Sequence[bytes] | None = None,
) -> Commitment:
    """Commit to every field of ``record`` with fresh random salts (or the given ones).

    ``pad_to``: add random decoy leaves up to this many leaves, so that records
    of one schema with and without optional fields have the same size.
    ``decoys`` gives the decoys instead (tests).
    """
    chosen = (
        dict(salts) if salts is not None else {n: secrets.token_bytes(SALT_BYTES) for n in record}
    )
    if decoys is None:
        missing = 0 if pad_to is None else pad_to - len(record)
        if missing < 0:
            raise ValueError(f"pad_to={pad_to} is below the {len(record)} fields of the record")
        decoys = [secrets.token_bytes(32) for _ in range(missing)]
    elif pad_to is not None:
        raise ValueError("give pad_to or decoys, not both")
    return Commitment(record=dict(record), salts=chosen, decoys=list(decoys))


def verify_disclosure(disclosure: Disclosure) -> dict[str, Any]:
    """Check every revealed field against the disclosure's root, offline.

    Returns the revealed fields as ``{name: value}``; raises ``DisclosureError``
    naming the first field that does not verify. Whether the root is anchored,
    anchored *as a disclosure* (the record type) and valid on chain is a
    separate check (``NotaryClient.check_disclosure``).
    """
    if not disclosure.fields:
        raise DisclosureError("the disclosure reveals no field")
    if disclosure.org_id is not None and disclosure.batch_id is not None:
        expected = record_id(disclosure.root, disclosure.org_id)
        if expected != disclosure.batch_id:
            raise DisclosureError("batch id does not match root and organisation")
    seen: set[str] = set()
    for f in disclosure.fields:
        if f.name in seen:
            raise DisclosureError(f"field {f.name!r} disclosed twice")
        seen.add(f.name)
        if not verify(disclosure.root, disclosure.size, f.commitment, f.index, f.proof):
            raise DisclosureError(f"field {f.name!r} does not match the root")
    # Leaves are sorted by commitment: indices must ascend with the commitments.
    ordered = sorted(disclosure.fields, key=lambda f: f.index)
    commitments = [f.commitment for f in ordered]
    if commitments != sorted(commitments):
        raise DisclosureError("field order does not match the committed order")
    return {f.name: f.value for f in disclosure.fields}
