"""SDK client over an ape ``DataService`` contract: catalog, negotiation, transfer log.

Mirrors the contract's enums once (:class:`State`, :class:`Standing`) and says each refusal in
words (:data:`STANDING_REASONS`), the same words the connector answers with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from trustspace.crypto.hashing import keccak, to_hex
from trustspace.dataspace.policy import Policy
from trustspace.dataspace.records import TransferRecord, batch_tree
from trustspace.notary.tree import MerkleTree

__all__ = [
    "STANDING_REASONS",
    "Agreement",
    "DataServiceClient",
    "Offer",
    "Standing",
    "State",
    "purpose_hash",
]


class State(IntEnum):
    """``IDataService.State``."""

    NONE = 0
    REQUESTED = 1
    AGREED = 2
    FINALIZED = 3
    TERMINATED = 4


class Standing(IntEnum):
    """``IDataService.Standing``: LIVE, or the first reason a transfer is refused."""

    LIVE = 0
    UNKNOWN = 1
    NOT_FINALIZED = 2
    TERMINATED = 3
    PROVIDER_NOT_LIVE = 4
    CONSUMER_NOT_LIVE = 5
    NOT_YET_VALID = 6
    EXPIRED = 7
    EXHAUSTED = 8


#: One line per refusal, shared by the connector, the CLI and the docs.
STANDING_REASONS: dict[Standing, str] = {
    Standing.LIVE: "live",
    Standing.UNKNOWN: "no such agreement",
    Standing.NOT_FINALIZED: "agreement not finalized yet",
    Standing.TERMINATED: "agreement terminated",
    Standing.PROVIDER_NOT_LIVE: "provider organisation suspended or removed",
    Standing.CONSUMER_NOT_LIVE: "consumer organisation suspended or removed",
    Standing.NOT_YET_VALID: "agreement not valid yet",
    Standing.EXPIRED: "agreement expired",
    Standing.EXHAUSTED: "maximum number of transfers reached",
}


def purpose_hash(purpose: str) -> bytes:
    """keccak256 of the purpose's UTF-8 bytes (``Agreement.purposeHash``)."""
    return keccak(purpose.encode())


def _b32(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("0x") else value).rjust(32, b"\0")
    return bytes(value).rjust(32, b"\0")


@dataclass(frozen=True)
class Offer:
    """An offer at its latest version."""

    id: int
    provider_org: int
    version: int
    withdrawn: bool
    schema: bytes
    description_digest: bytes
    policy_digest: bytes
    title: str

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "providerOrg": self.provider_org,
            "version": self.version,
            "withdrawn": self.withdrawn,
            "schema": to_hex(self.schema),
            "descriptionDigest": to_hex(self.description_digest),
            "policyDigest": to_hex(self.policy_digest),
            "title": self.title,
        }


@dataclass(frozen=True)
class Agreement:
    """An agreement as the chain holds it."""

    id: int
    offer_id: int
    offer_version: int
    provider_org: int
    consumer_org: int
    state: State
    transfers: int
    approvals: int
    requested_at: int
    purpose_hash: bytes

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "offerId": self.offer_id,
            "offerVersion": self.offer_version,
            "providerOrg": self.provider_org,
            "consumerOrg": self.consumer_org,
            "state": self.state.name,
            "transfers": self.transfers,
            "approvals": self.approvals,
            "requestedAt": self.requested_at,
            "purposeHash": to_hex(self.purpose_hash),
        }


class DataServiceClient:
    """Typed calls on a deployed DataService (an ape ``ContractInstance``)."""

    def __init__(self, contract: Any, start_block: int = 0) -> None:
        """Wrap ``contract``; ``start_block`` (the deployment block) bounds event scans."""
        self.contract = contract
        self.start_block = start_block

    @property
    def address(self) -> str:
        """The DataService address."""
        return str(self.contract.address)

    @property
    def chain_id(self) -> int:
        """Chain id of the connected network."""
        return int(self.contract.provider.chain_id)

    # ---------------------------------------------------------------- catalog

    def publish_offer(
        self,
        title: str,
        schema: bytes,
        description_digest: bytes,
        policy: Policy,
        *,
        sender: Any,
    ) -> tuple[int, Any]:
        """Publish an offer for the sender's organisation; returns (offer id, receipt)."""
        tx = self.contract.publishOffer(
            title, schema, description_digest, policy.digest(), policy.terms(), sender=sender
        )
        (event,) = tx.decode_logs(self.contract.OfferPublished)
        return int(event.offerId), tx

    def update_offer(
        self,
        offer_id: int,
        title: str,
        schema: bytes,
        description_digest: bytes,
        policy: Policy,
        *,
        sender: Any,
    ) -> tuple[int, Any]:
        """Publish a new version; returns (version, receipt)."""
        tx = self.contract.updateOffer(
            offer_id,
            title,
            schema,
            description_digest,
            policy.digest(),
            policy.terms(),
            sender=sender,
        )
        (event,) = tx.decode_logs(self.contract.OfferPublished)
        return int(event.version), tx

    def withdraw_offer(self, offer_id: int, *, sender: Any) -> Any:
        """Withdraw an offer."""
        return self.contract.withdrawOffer(offer_id, sender=sender)

    # ---------------------------------------------------------------- negotiation

    def request(self, offer_id: int, purpose: str, *, sender: Any) -> tuple[int, Any]:
        """Request an agreement for ``purpose``; returns (agreement id, receipt)."""
        tx = self.contract.requestAgreement(offer_id, purpose, sender=sender)
        (event,) = tx.decode_logs(self.contract.AgreementRequested)
        return int(event.agreementId), tx

    def accept(self, agreement_id: int, *, sender: Any) -> Any:
        """Accept a requested agreement (provider ADMIN)."""
        return self.contract.acceptAgreement(agreement_id, sender=sender)

    def approve(self, agreement_id: int, *, sender: Any) -> Any:
        """Approve an agreed agreement for the sender's organisation (k-of-n terms)."""
        return self.contract.approveAgreement(agreement_id, sender=sender)

    def terminate(self, agreement_id: int, reason: str = "", *, sender: Any) -> Any:
        """Terminate an agreement (ADMIN of either party); the reason's keccak256 is logged."""
        return self.contract.terminateAgreement(
            agreement_id, keccak(reason.encode()), sender=sender
        )

    # ---------------------------------------------------------------- transfer log

    def log_transfer(self, record: TransferRecord, *, sender: Any) -> tuple[int, Any]:
        """Log one transfer (provider connector, NOTARY); returns (transfer number, receipt)."""
        tx = self.contract.logTransfer(
            record.agreement_id,
            record.consumer,
            record.payload_digest,
            record.size,
            record.request_id,
            sender=sender,
        )
        (event,) = tx.decode_logs(self.contract.TransferLogged)
        return int(event.transferNo), tx

    def log_batch(
        self, agreement_id: int, records: Sequence[TransferRecord], *, sender: Any
    ) -> tuple[MerkleTree, Any]:
        """Log the records of one agreement under their Merkle root; returns (tree, receipt)."""
        if any(r.agreement_id != agreement_id for r in records):
            raise ValueError("a batch holds the records of one agreement")
        tree = batch_tree(records)
        tx = self.contract.logTransferBatch(agreement_id, tree.root, tree.size, sender=sender)
        return tree, tx

    def logged_digest(self, request_id: bytes) -> bytes | None:
        """The payload digest ``logTransfer`` logged for this request id (None: not logged)."""
        digest = _b32(self.contract.loggedDigest(request_id))
        return None if digest == bytes(32) else digest

    def batch_count(self, agreement_id: int, root: bytes) -> int:
        """Size of a logged batch (0 if none)."""
        return int(self.contract.batchCount(agreement_id, root))

    def is_included(
        self, root: bytes, record: TransferRecord, index: int, proof: Sequence[bytes]
    ) -> bool:
        """On-chain check of a batched transfer's inclusion proof."""
        return bool(
            self.contract.isTransferIncluded(
                record.agreement_id, root, record.digest(), index, list(proof)
            )
        )

    # ---------------------------------------------------------------- reads

    def offer(self, offer_id: int) -> Offer:
        """The latest version of an offer (provider_org 0: no such offer)."""
        o = self.contract.offer(offer_id)
        return Offer(
            id=offer_id,
            provider_org=int(o.providerOrg),
            version=int(o.version),
            withdrawn=bool(o.withdrawn),
            schema=_b32(o[3]),
            description_digest=_b32(o.descriptionDigest),
            policy_digest=_b32(o.policyDigest),
            title=str(o.title),
        )

    def offers(self) -> list[Offer]:
        """Every offer, by id."""
        return [self.offer(i) for i in range(1, int(self.contract.offerCount()) + 1)]

    def agreement(self, agreement_id: int) -> Agreement:
        """An agreement (state NONE: no such agreement)."""
        a = self.contract.agreement(agreement_id)
        return Agreement(
            id=agreement_id,
            offer_id=int(a.offerId),
            offer_version=int(a.offerVersion),
            provider_org=int(a.providerOrg),
            consumer_org=int(a.consumerOrg),
            state=State(int(a.state)),
            transfers=int(a.transfers),
            approvals=int(a.approvals),
            requested_at=int(a.requestedAt),
            purpose_hash=_b32(a.purposeHash),
        )

    def agreements(self) -> list[Agreement]:
        """Every agreement, by id."""
        return [self.agreement(i) for i in range(1, int(self.contract.agreementCount()) + 1)]

    def standing(self, agreement_id: int) -> Standing:
        """Whether the agreement allows a transfer now, or why not."""
        return Standing(int(self.contract.standing(agreement_id)))

    def org_of(self, account: Any) -> int:
        """The organisation of ``account`` in the Consortium the service asks (0 if none)."""
        return int(self.consortium.org_of(str(getattr(account, "address", account))))

    @property
    def consortium(self) -> Any:
        """The Consortium the service asks (ABI from the shipped manifest)."""
        from ape.contracts import ContractInstance

        from trustspace.artifacts import contract_type

        return ContractInstance(str(self.contract.consortium()), contract_type("Consortium"))

    # ---------------------------------------------------------------- events

    def events(self, name: str, **topics: Any) -> list[Any]:
        """Logs of event ``name`` since the deployment block (needs a provider with logs)."""
        from trustspace.event_logs import ape_logs

        event = getattr(self.contract, name)
        return ape_logs(event, self.start_block, search_topics=topics or None)

    def purposes(self) -> dict[int, str]:
        """The declared purpose of every agreement, from ``AgreementRequested``."""
        return {int(e.agreementId): str(e.purpose) for e in self.events("AgreementRequested")}

    def transfer_logs(self, agreement_ids: Iterable[int] | None = None) -> list[Any]:
        """``TransferLogged`` logs, of the given agreements or all."""
        logs = self.events("TransferLogged")
        if agreement_ids is None:
            return logs
        wanted = set(agreement_ids)
        return [e for e in logs if int(e.agreementId) in wanted]

    def transfer_log_of(self, agreement_id: int, request_id: bytes) -> Any | None:
        """The ``TransferLogged`` log of one request (None if not logged)."""
        for e in self.events("TransferLogged", agreementId=agreement_id):
            if _b32(e.requestId) == request_id:
                return e
        return None
