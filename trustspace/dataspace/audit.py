"""The supervisor's view: every agreement and transfer of a provider or consumer organisation,
with totals per purpose, read from the DataService's events and state (``trustspace data log``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from trustspace.crypto.hashing import to_hex
from trustspace.dataspace.client import DataServiceClient

__all__ = ["audit_log"]


def audit_log(
    client: DataServiceClient, provider_org: int | None = None, consumer_org: int | None = None
) -> dict[str, Any]:
    """Agreements (with purpose and standing), transfers, batches and totals per purpose."""
    purposes = client.purposes()
    agreements = [
        a
        for a in client.agreements()
        if (provider_org is None or a.provider_org == provider_org)
        and (consumer_org is None or a.consumer_org == consumer_org)
    ]
    ids = {a.id for a in agreements}
    transfers: list[dict[str, Any]] = [
        {
            "agreementId": int(e.agreementId),
            "transferNo": int(e.transferNo),
            "consumer": str(e.consumer),
            "payloadDigest": to_hex(bytes(e.payloadDigest)),
            "size": int(e.size),
            "requestId": to_hex(bytes(e.requestId)),
            "time": int(e.time),
            "block": int(e.block_number),
            "tx": str(e.transaction_hash),
        }
        for e in client.transfer_logs(ids)
    ]
    batches = [
        {
            "agreementId": int(e.agreementId),
            "root": to_hex(bytes(e.root)),
            "firstNo": int(e.firstNo),
            "count": int(e.count),
            "time": int(e.time),
        }
        for e in client.events("TransfersBatched")
        if int(e.agreementId) in ids
    ]
    totals: dict[str, dict[str, int]] = defaultdict(
        lambda: {"agreements": 0, "transfers": 0, "bytes": 0}
    )
    for a in agreements:
        totals[purposes.get(a.id, "?")]["agreements"] += 1
        totals[purposes.get(a.id, "?")]["transfers"] += a.transfers
    for t in transfers:
        totals[purposes.get(t["agreementId"], "?")]["bytes"] += t["size"]
    rows = [
        {
            **a.to_json(),
            "purpose": purposes.get(a.id),
            "standing": client.standing(a.id).name.lower(),
        }
        for a in agreements
    ]
    return {"agreements": rows, "transfers": transfers, "batches": batches, "totals": dict(totals)}
