"""Documents for the portal walk, notarized on the demo's tax chain while its chains run.

The demo's own batch holds selective-disclosure commitments, not files, and customs ends the
demo suspended; so the walk has the tax officer notarize two small files of its own (one then
revoked, reason FRAUD) and writes each with its proof bundle, plus a tampered copy of the valid
one (one byte changed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustspace.notary.bundle import Bundle
from trustspace.notary.client import NotaryClient, RevocationReason

__all__ = ["WalkData", "notarize_walk_documents"]


@dataclass(frozen=True)
class WalkData:
    """What the walk verifies and looks up."""

    valid: Path
    valid_bundle: Path
    tampered: Path
    revoked: Path
    revoked_bundle: Path
    valid_id: str
    revoked_id: str


def _bundle(client: NotaryClient, rid: bytes, digest: bytes, tx: Any, name: str) -> Bundle:
    rec = client.record(rid)
    return Bundle(
        digest=digest,
        org_id=rec.org_id,
        record_id=rid,
        chain_id=client.chain_id,
        notary=client.address,
        name=name,
        schema_id=rec.schema_id,
        tx_hash=str(tx.txn_hash),
        block_number=int(tx.block_number),
        attested_at=rec.attested_at,
    )


def notarize_walk_documents(scenario: Any, folder: Path) -> WalkData:
    """Notarize the walk's files on ``scenario``'s tax chain; files and bundles in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "valid": b"Tax assessment TAX-2026-0000042\nVAT due: 1,900 EUR\n",
        "revoked": b"Tax assessment TAX-2026-0000043\nVAT due: 7,600 EUR\n",
    }
    suite = scenario.result.suites["tax"]
    ids: dict[str, str] = {}
    with scenario.on("tax"):
        client = NotaryClient(suite.notary)
        tx = suite.notary.registerSchema(
            "portal-walk", "1.0", bytes(32), "", sender=scenario.officer
        )
        (event,) = tx.decode_logs(suite.notary.SchemaRegistered)
        schema = int(event.schemaId)
        for name, text in texts.items():
            path = folder / f"{name}.txt"
            path.write_bytes(text)
            digest = hashlib.sha256(text).digest()
            rid, tx = client.attest(digest, schema, sender=scenario.officer)
            _bundle(client, rid, digest, tx, path.name).save(folder / f"{name}.bundle.json")
            ids[name] = "0x" + rid.hex()
        client.revoke(
            bytes.fromhex(ids["revoked"][2:]), RevocationReason.FRAUD, sender=scenario.officer
        )
    tampered = folder / "tampered.txt"
    changed = bytearray(texts["valid"])
    changed[-6] ^= 0x01  # one byte changed: "1,900" becomes "1,901"
    tampered.write_bytes(bytes(changed))
    return WalkData(
        valid=folder / "valid.txt",
        valid_bundle=folder / "valid.bundle.json",
        tampered=tampered,
        revoked=folder / "revoked.txt",
        revoked_bundle=folder / "revoked.bundle.json",
        valid_id=ids["valid"],
        revoked_id=ids["revoked"],
    )
