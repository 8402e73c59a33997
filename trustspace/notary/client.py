"""SDK client over an ape ``Notary`` contract: attest, anchor, revoke, verify and trace.

Mirrors the contract's enums once (:class:`Status`, :class:`Kind`) and names the
revocation reason codes agencies agreed on (:class:`RevocationReason`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from trustspace.crypto import eip712
from trustspace.crypto.hashing import to_hex
from trustspace.notary import disclosure as sd
from trustspace.notary.bundle import Bundle
from trustspace.notary.disclosure import Commitment, Disclosure, DisclosureError
from trustspace.notary.tree import MerkleTree, record_id

__all__ = [
    "ZERO32",
    "DisclosureCheck",
    "Kind",
    "LineageNode",
    "NotaryClient",
    "Record",
    "RevocationReason",
    "Status",
]

ZERO32 = bytes(32)


class Kind(IntEnum):
    """``INotary.Kind``: what a record is."""

    NONE = 0
    DOCUMENT = 1
    BATCH = 2
    FOREIGN = 3


class Status(IntEnum):
    """``INotary.Status``: the answer of the validity query; only VALID is positive."""

    UNKNOWN = 0
    VALID = 1
    REVOKED = 2
    EXPIRED = 3
    ORG_NOT_LIVE = 4
    NOT_INCLUDED = 5
    DOCUMENT_REVOKED = 6


class RevocationReason(IntEnum):
    """Reason codes carried by ``Revoked`` / ``DocumentRevoked`` (uint16 on chain)."""

    UNSPECIFIED = 0
    SUPERSEDED = 1
    ISSUED_IN_ERROR = 2
    WITHDRAWN = 3
    FRAUD = 4
    KEY_COMPROMISE = 5
    LEGAL_ORDER = 6


@dataclass(frozen=True)
class Record:
    """A record as the chain holds it (``INotary.Record`` plus id and parent)."""

    id: bytes
    org_id: int
    schema_id: int
    attested_at: int
    expires_at: int
    revoked_at: int
    reason: int
    kind: Kind
    size: int
    parent: bytes | None

    @property
    def exists(self) -> bool:
        """True unless the id is unknown."""
        return self.kind != Kind.NONE


@dataclass
class LineageNode:
    """One record in a lineage tree with its status and children."""

    record: Record
    status: Status
    children: list[LineageNode] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Nested JSON-ready dict."""
        return {
            "id": to_hex(self.record.id),
            "org_id": self.record.org_id,
            "schema_id": self.record.schema_id,
            "kind": self.record.kind.name,
            "attested_at": self.record.attested_at,
            "status": self.status.name,
            "children": [c.to_json() for c in self.children],
        }


@dataclass(frozen=True)
class DisclosureCheck:
    """What the chain says about a disclosure (:meth:`NotaryClient.check_disclosure`)."""

    #: The batch the disclosure's root was anchored as (record id of root and organisation).
    batch_id: bytes
    #: The organisation the disclosure names; the record id binds it.
    org_id: int
    #: Schema of the anchored record (0 if there is none).
    schema_id: int
    #: That organisation's disclosure schema (0 if it never registered one).
    disclosure_schema_id: int
    #: On-chain status of every disclosed field (batch validity and inclusion included).
    fields: dict[str, Status]

    @property
    def is_disclosure_root(self) -> bool:
        """True only if the record was anchored under its organisation's disclosure schema."""
        return self.disclosure_schema_id != 0 and self.schema_id == self.disclosure_schema_id

    @property
    def valid(self) -> bool:
        """A disclosure root, and every disclosed field VALID."""
        return self.is_disclosure_root and all(s == Status.VALID for s in self.fields.values())

    def problem(self) -> str | None:
        """Why the root is not a disclosure root, in one sentence (None when it is)."""
        if self.is_disclosure_root:
            return None
        if self.schema_id == 0:
            return f"no record {to_hex(self.batch_id)} of organisation {self.org_id}"
        if self.disclosure_schema_id == 0:
            return (
                f"record {to_hex(self.batch_id)} is not a disclosure: organisation "
                f"{self.org_id} has no {sd.SCHEMA_NAME} schema"
            )
        return (
            f"record {to_hex(self.batch_id)} is not a disclosure: it was anchored under schema "
            f"{self.schema_id}, not organisation {self.org_id}'s {sd.SCHEMA_NAME} schema "
            f"{self.disclosure_schema_id}"
        )


def _b32(value: Any) -> bytes:
    """Bytes of a bytes32 value as ape returns it (HexBytes, bytes or hex string)."""
    if isinstance(value, str):
        raw = bytes.fromhex(value[2:] if value.startswith("0x") else value)
    else:
        raw = bytes(value)
    return raw.rjust(32, b"\x00")


class NotaryClient:
    """Typed calls on a deployed Notary (an ape ``ContractInstance``)."""

    def __init__(self, contract: Any, start_block: int = 0) -> None:
        """Wrap ``contract`` (``project.Notary.at(address)`` or a fresh deployment).

        ``start_block`` (the deployment block) bounds event scans for lineage.
        """
        self.contract = contract
        self.start_block = start_block
        # Nonces handed out by this client but maybe not yet mined, per signer.
        self._reserved: dict[str, set[int]] = {}

    @property
    def address(self) -> str:
        """The Notary address."""
        return str(self.contract.address)

    @property
    def chain_id(self) -> int:
        """Chain id of the connected network."""
        return int(self.contract.provider.chain_id)

    # ---------------------------------------------------------------- writes

    def attest(
        self,
        digest: bytes,
        schema_id: int,
        *,
        sender: Any,
        parent: bytes | None = None,
        expires_at: int = 0,
    ) -> tuple[bytes, Any]:
        """Attest ``digest`` for the sender's organisation; returns (record id, receipt)."""
        tx = self.contract.attest(digest, schema_id, parent or ZERO32, expires_at, sender=sender)
        (event,) = tx.decode_logs(self.contract.Attested)
        return _b32(event.id), tx

    def anchor_batch(
        self, tree: MerkleTree, schema_id: int, *, sender: Any, expires_at: int = 0
    ) -> tuple[bytes, Any]:
        """Anchor ``tree``'s root; returns (batch id, receipt).

        Refuses a disclosure schema: only :meth:`anchor_disclosure` anchors under it, so
        that an ordinary batch (documents filed by others) never reads as a disclosure.
        """
        if self.schema(schema_id)["name"] == sd.SCHEMA_NAME:
            raise ValueError(
                f"schema {schema_id} is a {sd.SCHEMA_NAME} schema: anchor selective-disclosure "
                "commitments with anchor_disclosure, and documents under another schema"
            )
        return self._anchor(tree, schema_id, sender, expires_at)

    def _anchor(
        self, tree: MerkleTree, schema_id: int, sender: Any, expires_at: int
    ) -> tuple[bytes, Any]:
        tx = self.contract.anchorBatch(tree.root, tree.size, schema_id, expires_at, sender=sender)
        (event,) = tx.decode_logs(self.contract.BatchAnchored)
        return _b32(event.id), tx

    def disclosure_schema(self, org_id: int) -> int:
        """Organisation ``org_id``'s disclosure schema id, 0 if it has none."""
        return int(self.contract.schemaIdOf(org_id, sd.SCHEMA_NAME, sd.SCHEMA_VERSION))

    def ensure_disclosure_schema(self, *, sender: Any) -> int:
        """The sender's organisation's disclosure schema id, registered first if absent."""
        existing = self.disclosure_schema(self.org_of(sender))
        if existing:
            return existing
        return self.register_schema(
            sd.SCHEMA_NAME,
            sd.SCHEMA_VERSION,
            sender=sender,
            definition_hash=sd.SCHEMA_DEFINITION_HASH,
            uri=sd.SCHEMA_URI,
        )

    def anchor_disclosure(
        self, commitment: Commitment, *, sender: Any, expires_at: int = 0
    ) -> tuple[bytes, Any]:
        """Anchor a selective-disclosure commitment under the sender's organisation's
        disclosure schema (registered on first use); records where in ``commitment.anchor``.

        Returns (batch id, receipt).
        """
        schema_id = self.ensure_disclosure_schema(sender=sender)
        batch_id, tx = self._anchor(commitment.tree, schema_id, sender, expires_at)
        commitment.anchor = {
            "org_id": self.record(batch_id).org_id,
            "chain_id": self.chain_id,
            "notary": self.address,
            "batch_id": to_hex(batch_id),
            "tx_hash": str(tx.txn_hash),
        }
        return batch_id, tx

    def revoke(self, record: bytes, reason: int, *, sender: Any) -> Any:
        """Revoke an attestation or a whole batch."""
        return self.contract.revoke(record, int(reason), sender=sender)

    def revoke_document(self, batch: bytes, document: bytes, reason: int, *, sender: Any) -> Any:
        """Revoke one document of a batch."""
        return self.contract.revokeDocument(batch, document, int(reason), sender=sender)

    def register_schema(
        self,
        name: str,
        version: str,
        *,
        sender: Any,
        definition_hash: bytes = ZERO32,
        uri: str = "",
    ) -> int:
        """Register a schema for the sender's organisation; returns its id."""
        tx = self.contract.registerSchema(name, version, definition_hash, uri, sender=sender)
        (event,) = tx.decode_logs(self.contract.SchemaRegistered)
        return int(event.schemaId)

    def next_nonce(self, signer: str, word: int = 0) -> int:
        """The lowest nonce of ``signer`` from bitmap word ``word`` on that is neither used on
        chain nor handed out by this client.

        Filling a word bit by bit keeps delegated calls cheap: only the first nonce of each
        256-nonce word writes a fresh storage slot (about 17,000 gas more). Independent
        processes of one signer stay collision-free by using distinct ``word`` ranges.
        """
        reserved = self._reserved.setdefault(str(signer), set())
        while True:
            bits = int(self.contract.nonceBitmap(signer, word))
            for bit in range(256):
                nonce = word * 256 + bit
                if not bits >> bit & 1 and nonce not in reserved:
                    reserved.add(nonce)
                    return nonce
            word += 1

    def attest_request(
        self,
        attester: str,
        digest: bytes,
        schema_id: int,
        *,
        org_id: int | None = None,
        parent: bytes | None = None,
        expires_at: int = 0,
        nonce: int | None = None,
        deadline: int | None = None,
        valid_for: int = 3600,
    ) -> eip712.AttestRequest:
        """A delegated request for ``org_id`` (default: the attester's organisation now), with
        the next free nonce and a deadline ``valid_for`` seconds after chain time."""
        return eip712.AttestRequest(
            attester=str(attester),
            org_id=self._signing_org(attester) if org_id is None else org_id,
            digest=digest,
            schema_id=schema_id,
            parent=parent or ZERO32,
            expires_at=expires_at,
            nonce=self.next_nonce(str(attester)) if nonce is None else nonce,
            deadline=self._now() + valid_for if deadline is None else deadline,
        )

    def revoke_request(
        self,
        revoker: str,
        record: bytes,
        reason: int,
        *,
        org_id: int | None = None,
        nonce: int | None = None,
        deadline: int | None = None,
        valid_for: int = 3600,
    ) -> eip712.RevokeRequest:
        """A delegated revocation of ``record`` for ``org_id`` (default: the revoker's
        organisation now), next free nonce, deadline ``valid_for`` seconds after chain time."""
        return eip712.RevokeRequest(
            revoker=str(revoker),
            org_id=self._signing_org(revoker) if org_id is None else org_id,
            id=record,
            reason=int(reason),
            nonce=self.next_nonce(str(revoker)) if nonce is None else nonce,
            deadline=self._now() + valid_for if deadline is None else deadline,
        )

    def org_of(self, account: Any) -> int:
        """The organisation ``account`` belongs to in the Notary's Consortium (0 if none)."""
        return int(self.consortium.org_of(str(getattr(account, "address", account))))

    def _signing_org(self, signer: str) -> int:
        org_id = self.org_of(signer)
        if org_id == 0:
            raise ValueError(f"{signer} belongs to no organisation: it cannot sign requests")
        return org_id

    @property
    def consortium(self) -> Any:
        """The Consortium the Notary asks (ABI from the shipped manifest)."""
        from ape.contracts import ContractInstance

        from trustspace.artifacts import contract_type

        return ContractInstance(str(self.contract.consortium()), contract_type("Consortium"))

    def sign(
        self, request: eip712.AttestRequest | eip712.RevokeRequest, private_key: bytes | str
    ) -> bytes:
        """Sign a request for this Notary on this chain."""
        return eip712.sign(request, private_key, self.chain_id, self.address)

    def attest_by_sig(
        self, request: eip712.AttestRequest, signature: bytes, *, sender: Any
    ) -> tuple[bytes, Any]:
        """Submit a signed attestation (any sender pays); returns (record id, receipt)."""
        tx = self.contract.attestBySig(request.as_tuple(), signature, sender=sender)
        (event,) = tx.decode_logs(self.contract.Attested)
        return _b32(event.id), tx

    def revoke_by_sig(self, request: eip712.RevokeRequest, signature: bytes, *, sender: Any) -> Any:
        """Submit a signed revocation."""
        return self.contract.revokeBySig(request.as_tuple(), signature, sender=sender)

    # ---------------------------------------------------------------- reads

    def record(self, rid: bytes) -> Record:
        """The stored record ``rid`` (kind NONE if unknown), with its parent."""
        r = self.contract.record(rid)
        parent = _b32(self.contract.parentOf(rid))
        return Record(
            id=rid,
            org_id=int(r.orgId),
            schema_id=int(r.schemaId),
            attested_at=int(r.attestedAt),
            expires_at=int(r.expiresAt),
            revoked_at=int(r.revokedAt),
            reason=int(r.reason),
            kind=Kind(int(r.kind)),
            size=int(r.size),
            parent=None if parent == ZERO32 else parent,
        )

    def status(self, rid: bytes) -> Status:
        """The one-call validity of a record."""
        return Status(int(self.contract.status(rid)))

    def is_valid(self, rid: bytes) -> bool:
        """True only for VALID."""
        return self.status(rid) == Status.VALID

    def document_status(
        self, batch: bytes, document: bytes, index: int, proof: Sequence[bytes]
    ) -> Status:
        """The validity of one document of a batch, inclusion included."""
        return Status(int(self.contract.documentStatus(batch, document, index, list(proof))))

    def bundle_status(self, bundle: Bundle) -> Status:
        """Check a proof bundle on chain (after :func:`trustspace.notary.bundle.verify_offline`)."""
        if bundle.batch is None:
            return self.status(bundle.record_id)
        return self.document_status(
            bundle.record_id, bundle.digest, bundle.batch.index, bundle.batch.proof
        )

    def check_disclosure(self, disclosure: Disclosure) -> DisclosureCheck:
        """What the chain says about ``disclosure`` (after :func:`trustspace.notary.disclosure.
        verify_disclosure`): the record type (anchored under the organisation's disclosure
        schema?) and the status of every disclosed field. Needs the disclosure's org id."""
        if disclosure.org_id is None:
            raise DisclosureError("the disclosure names no organisation; cannot locate its batch")
        batch = record_id(disclosure.root, disclosure.org_id)
        return DisclosureCheck(
            batch_id=batch,
            org_id=disclosure.org_id,
            schema_id=self.record(batch).schema_id,
            disclosure_schema_id=self.disclosure_schema(disclosure.org_id),
            fields={
                f.name: self.document_status(batch, f.commitment, f.index, f.proof)
                for f in disclosure.fields
            },
        )

    def disclosure_status(self, disclosure: Disclosure) -> dict[str, Status]:
        """On-chain status of every disclosed field; raises ``DisclosureError`` when the root
        was not anchored as a disclosure (an ordinary batch posing as one)."""
        check = self.check_disclosure(disclosure)
        problem = check.problem()
        if problem is not None:
            raise DisclosureError(problem)
        return check.fields

    def schema(self, schema_id: int) -> dict[str, Any]:
        """Schema ``schema_id`` as a dict (org_id 0 if unknown)."""
        s = self.contract.schema(schema_id)
        return {
            "schema_id": schema_id,
            "org_id": int(s.orgId),
            "registered_at": int(s.registeredAt),
            "deprecated_at": int(s.deprecatedAt),
            "definition_hash": to_hex(_b32(s.definitionHash)),
            "name": str(s.name),
            "version": str(s.version),
            "uri": str(s.uri),
        }

    # ---------------------------------------------------------------- lineage

    def ancestors(self, rid: bytes, limit: int = 256) -> list[Record]:
        """``rid`` and its parents up to the first record without one (nearest first)."""
        chain: list[Record] = []
        current: bytes | None = rid
        seen: set[bytes] = set()
        while current is not None and len(chain) < limit and current not in seen:
            seen.add(current)
            rec = self.record(current)
            if not rec.exists:
                break
            chain.append(rec)
            current = rec.parent
        return chain

    def children_index(self) -> dict[bytes, list[bytes]]:
        """Parent → children, from every ``Derived`` event of the contract."""
        index: dict[bytes, list[bytes]] = {}
        for log in self._derived_logs():
            index.setdefault(_b32(log.parent), []).append(_b32(log.child))
        return index

    def lineage(self, rid: bytes) -> LineageNode:
        """The lineage tree of ``rid``: rooted at its oldest ancestor, with every descendant."""
        ancestors = self.ancestors(rid)
        if not ancestors:
            raise KeyError(f"unknown record {to_hex(rid)}")
        children = self.children_index()

        def build(node_id: bytes, depth: int) -> LineageNode:
            rec = self.record(node_id)
            node = LineageNode(record=rec, status=self.status(node_id))
            if depth < 64:  # lineage deeper than this is a data problem, not a tree to print
                node.children = [build(c, depth + 1) for c in children.get(node_id, [])]
            return node

        return build(ancestors[-1].id, 0)

    def _now(self) -> int:
        # Chain time, not wall time: test chains travel in time, permissioned ones may drift.
        try:
            return int(self.contract.chain_manager.pending_timestamp)
        except Exception:  # a provider without pending blocks
            return int(time.time())

    def _derived_logs(self) -> Iterable[Any]:
        from trustspace.event_logs import ape_logs

        # Providers without log support (the in-process boa EVM) yield nothing here:
        # descendants are then unknown, ancestors still come from parentOf on chain.
        return ape_logs(self.contract.Derived, self.start_block)
