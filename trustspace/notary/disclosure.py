"""Selective disclosure: commit to every field of a record, reveal only some.

Scheme (see ``docs/notary.md``):

* fields are sorted by name, so every party derives the same leaf order;
* field *i* is committed as ``SHA-256(salt_i ‖ RFC8785([name, value]))`` with a
  fresh 32-byte random ``salt_i`` — the salt is what keeps a low-entropy value
  (a yes/no flag, a birth year) from being guessed by hashing candidates and
  comparing with the tree: without the salt there are 2**256 preimages to try;
* the commitments are the documents of an ordinary Notary batch
  (:class:`trustspace.notary.tree.MerkleTree`); its root is anchored with
  ``anchorBatch(root, size = number of fields, ...)``, so a disclosed field is
  checked on chain with ``verifyInclusion`` like any batch document;
* a disclosure carries, per revealed field, the name, value, salt, index and
  proof; the proof's siblings are salted hashes and reveal nothing about the
  other fields except their number.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trustspace.crypto.hashing import canonical_json, from_hex, hash_bytes, to_hex
from trustspace.errors import InputError
from trustspace.notary.tree import MerkleTree, record_id, verify

SALT_BYTES = 32
DISCLOSURE_TYPE = "trustspace.notary.disclosure"
COMMITMENT_TYPE = "trustspace.commitment"


class DisclosureError(InputError):
    """A disclosure does not verify; the message says which field and why."""


def field_commitment(name: str, value: Any, salt: bytes) -> bytes:
    """The 32-byte commitment to one field: SHA-256(salt ‖ RFC 8785 of [name, value])."""
    if len(salt) != SALT_BYTES:
        raise ValueError(f"salt must be {SALT_BYTES} bytes, got {len(salt)}")
    return hash_bytes(salt + canonical_json([name, value]))


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
            "version": 1,
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
        """Parse :meth:`to_json` output; raises ``DisclosureError`` on a malformed document."""
        try:
            if data.get("type") != DISCLOSURE_TYPE:
                raise DisclosureError(f"not a disclosure: type {data.get('type')!r}")
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
    """The holder's secret side: every field with its salt, and the tree over them."""

    record: dict[str, Any]
    salts: dict[str, bytes]
    #: Where the root was anchored: {"org_id", "chain_id", "notary", "batch_id", "tx_hash"}.
    anchor: dict[str, Any] | None = None
    names: list[str] = field(init=False)
    tree: MerkleTree = field(init=False)

    def __post_init__(self) -> None:
        if not self.record:
            raise ValueError("a record needs at least one field")
        if set(self.salts) != set(self.record):
            raise ValueError("every field needs exactly one salt")
        self.names = sorted(self.record)
        self.tree = MerkleTree(
            [field_commitment(n, self.record[n], self.salts[n]) for n in self.names]
        )

    @property
    def root(self) -> bytes:
        """The root to anchor (``anchorBatch(root, size, ...)``)."""
        return self.tree.root

    @property
    def size(self) -> int:
        """Number of fields, the batch size to anchor."""
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
        chosen = sorted(set(names))
        unknown = [n for n in chosen if n not in self.record]
        if unknown:
            raise KeyError(f"no such field(s): {', '.join(unknown)}")
        index = {n: i for i, n in enumerate(self.names)}
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
                    index=index[n],
                    proof=self.tree.proof(index[n]),
                )
                for n in chosen
            ],
        )

    def to_json(self) -> dict[str, Any]:
        """The holder's private file: values and salts. Never share it; share disclosures."""
        return {
            "type": COMMITMENT_TYPE,
            "version": 1,
            "root": to_hex(self.root),
            "record": self.record,
            "salts": {n: to_hex(s) for n, s in self.salts.items()},
            "anchor": self.anchor,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Commitment:
        """Load :meth:`to_json` output and check the root still matches."""
        if data.get("type") != COMMITMENT_TYPE:
            raise ValueError(f"not a commitment: type {data.get('type')!r}")
        c = cls(
            record=dict(data["record"]),
            salts={n: from_hex(s, SALT_BYTES) for n, s in data["salts"].items()},
            anchor=data.get("anchor"),
        )
        if "root" in data and from_hex(data["root"]) != c.root:
            raise ValueError("commitment file is inconsistent: root does not match fields")
        return c


def commit(record: Mapping[str, Any], salts: Mapping[str, bytes] | None = None) -> Commitment:
    """Commit to every field of ``record`` with fresh random salts (or the given ones)."""
    chosen = (
        dict(salts) if salts is not None else {n: secrets.token_bytes(SALT_BYTES) for n in record}
    )
    return Commitment(record=dict(record), salts=chosen)


def verify_disclosure(disclosure: Disclosure) -> dict[str, Any]:
    """Check every revealed field against the disclosure's root, offline.

    Returns the revealed fields as ``{name: value}``; raises ``DisclosureError``
    naming the first field that does not verify. Whether the root is anchored
    and valid on chain is a separate check (``NotaryClient.disclosure_status``).
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
    # Sorted leaf order makes names ascend with indices; a mismatch means a re-labelled field.
    ordered = sorted(disclosure.fields, key=lambda f: f.index)
    if [f.name for f in ordered] != sorted(f.name for f in ordered):
        raise DisclosureError("field order does not match the committed order")
    return {f.name: f.value for f in disclosure.fields}
