"""The on-chain side of a computation: the ``Computations`` contract through ape.

:class:`ComputationRecords` sends each step (open, contribute, aggregate, share,
publish) and reads the record back; :meth:`ComputationRecords.trail` rebuilds
the whole trail from the contract's events (who, which organisation, which
digest, in which block) so that an auditor needs nothing but the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["STAGES", "ComputationRecords", "ComputationState", "TrailEntry"]

#: Stage numbers of the contract, by name.
STAGES = {0: "unknown", 1: "collecting", 2: "decrypting", 3: "published", 4: "cancelled"}


@dataclass(frozen=True)
class ComputationState:
    """A computation as the contract holds it."""

    computation_id: int
    opener: int
    threshold: int
    key_digest: bytes
    participants: tuple[int, ...]
    min_contributors: int
    stage: str
    contributions: dict[int, bytes]
    aggregate_digest: bytes | None
    shares: dict[int, bytes]
    result_digest: bytes | None

    def to_json(self) -> dict[str, Any]:
        def hx(b: bytes | None) -> str | None:
            return None if b is None else "0x" + b.hex()

        return {
            "computation": self.computation_id,
            "opener": self.opener,
            "threshold": self.threshold,
            "key_digest": hx(self.key_digest),
            "participants": list(self.participants),
            "min_contributors": self.min_contributors,
            "stage": self.stage,
            "contributions": {str(o): hx(d) for o, d in sorted(self.contributions.items())},
            "aggregate_digest": hx(self.aggregate_digest),
            "shares": {str(o): hx(d) for o, d in sorted(self.shares.items())},
            "result_digest": hx(self.result_digest),
        }


@dataclass(frozen=True)
class TrailEntry:
    """One event of a computation's trail."""

    block: int
    step: str
    org: int
    account: str
    digest: str
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "step": self.step,
            "org": self.org,
            "account": self.account,
            "digest": self.digest,
            **self.detail,
        }


def _b(value: Any) -> bytes:
    return bytes(value) if not isinstance(value, str) else bytes.fromhex(value.removeprefix("0x"))


class ComputationRecords:
    """An ape ``ContractInstance`` of ``Computations``, with typed steps."""

    def __init__(self, contract: Any) -> None:
        self.contract = contract

    def open(
        self,
        sender: Any,
        participants: Sequence[int],
        threshold: int,
        key_digest: bytes,
        description: str,
        min_contributors: int | None = None,
    ) -> int:
        """Open a computation; its id. The aggregate will need at least ``min_contributors``
        contributions (default: every participant; never fewer than 2)."""
        least = len(participants) if min_contributors is None else min_contributors
        receipt = self.contract.open(
            list(participants), threshold, key_digest, description, least, sender=sender
        )
        return int(receipt.decode_logs(self.contract.Opened)[0].computation_id)

    def contribute(self, sender: Any, computation_id: int, digest: bytes) -> Any:
        """Record the digest of the sender's organisation's contribution."""
        return self.contract.contribute(computation_id, digest, sender=sender)

    def record_aggregate(
        self, sender: Any, computation_id: int, digest: bytes, contributors: Sequence[int]
    ) -> Any:
        """Record the aggregate of the listed contributors (ascending)."""
        return self.contract.record_aggregate(
            computation_id, digest, sorted(contributors), sender=sender
        )

    def record_share(self, sender: Any, computation_id: int, digest: bytes) -> Any:
        """Record the digest of the sender's organisation's partial decryption."""
        return self.contract.record_share(computation_id, digest, sender=sender)

    def publish(
        self,
        sender: Any,
        computation_id: int,
        digest: bytes,
        totals: Sequence[int],
        share_orgs: Sequence[int],
    ) -> Any:
        """Publish the totals with the organisations whose shares decrypted them."""
        return self.contract.publish_result(
            computation_id, digest, list(totals), sorted(share_orgs), sender=sender
        )

    def state(self, computation_id: int) -> ComputationState:
        """The computation's record (stage ``unknown`` for an id never opened)."""
        rec = self.contract.computations(computation_id)
        participants = tuple(int(p) for p in rec.participants)
        zero = b"\x00" * 32

        def kept(mapping: Any) -> dict[int, bytes]:
            found = {p: _b(mapping(computation_id, p)) for p in participants}
            return {p: d for p, d in found.items() if d != zero}

        aggregate, result = _b(rec.aggregate_digest), _b(rec.result_digest)
        return ComputationState(
            computation_id=computation_id,
            opener=int(rec.opener),
            threshold=int(rec.threshold),
            key_digest=_b(rec.key_digest),
            participants=participants,
            min_contributors=int(rec.min_contributors),
            stage=STAGES.get(int(rec.stage), str(rec.stage)),
            contributions=kept(self.contract.contribution_of),
            aggregate_digest=None if aggregate == zero else aggregate,
            shares=kept(self.contract.share_of),
            result_digest=None if result == zero else result,
        )

    def trail(self, computation_id: int, start_block: int = 0) -> list[TrailEntry]:
        """Every step of the computation, from the contract's events, in chain order.

        Empty on a provider that serves no logs (the in-process EVM).
        """
        from trustspace.event_logs import ape_logs

        height = int(self.contract.chain_manager.blocks.height)
        entries: list[tuple[int, int, TrailEntry]] = []
        topics = {"computation_id": computation_id}
        for step in ("Opened", "Contributed", "Aggregated", "Shared", "Published"):
            event = getattr(self.contract, step)
            for log in ape_logs(event, start_block, height, search_topics=topics):
                detail: dict[str, Any] = {}
                if step == "Opened":
                    detail = {
                        "participants": [int(p) for p in log.participants],
                        "threshold": int(log.threshold),
                        "description": str(log.description),
                    }
                    value = "0x" + _b(log.key_digest).hex()
                else:
                    value = "0x" + _b(log.digest).hex()
                if step == "Aggregated":
                    detail = {"contributors": [int(c) for c in log.contributors]}
                if step == "Published":
                    detail = {
                        "totals": [int(t) for t in log.totals],
                        "share_orgs": [int(s) for s in log.share_orgs],
                    }
                entry = TrailEntry(
                    int(log.block_number), step, int(log.org_id), str(log.account), value, detail
                )
                entries.append((int(log.block_number), int(log.log_index), entry))
        return [e for _, _, e in sorted(entries, key=lambda t: (t[0], t[1]))]
