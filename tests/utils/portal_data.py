"""Documents for the portal walk, notarized on the demo's tax chain while its chains run.

The demo's own batch holds selective-disclosure commitments, not files, and customs ends the
demo suspended; so the walk has the tax officer notarize two small files of its own (one then
revoked, reason FRAUD) and writes each with its proof bundle, plus a tampered copy of the valid
one (one byte changed), and a JSON record notarized in its RFC 8785 form (``--json-record``)
with a copy written with other key order, spacing and number spelling (same canonical form).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustspace.crypto.hashing import hash_json
from trustspace.notary.bundle import ENCODING_JSON, Bundle
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
    json_record: Path
    json_bundle: Path
    json_changed: Path
    valid_id: str
    revoked_id: str


#: A JSON record as notarized, and the same value written otherwise (canonical forms agree).
JSON_RECORD = (
    '{"declaration":"CD-2026-0042","value":{"amount":1900.50,"currency":"EUR"},'
    '"note":"Zoll é €","lines":[3,1e3]}'
)
JSON_REWRITTEN = """{
  "note": "Zoll \\u00e9 \\u20ac",
  "lines": [3.0, 1000],
  "value": {"currency": "EUR", "amount": 1900.5},
  "declaration": "CD-2026-0042"
}
"""


def _bundle(
    client: NotaryClient, rid: bytes, digest: bytes, tx: Any, name: str, encoding: str = "bytes"
) -> Bundle:
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
        encoding=encoding,
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
        (folder / "record.json").write_text(JSON_RECORD, encoding="utf-8")
        digest = hash_json(json.loads(JSON_RECORD))
        rid, tx = client.attest(digest, schema, sender=scenario.officer)
        _bundle(client, rid, digest, tx, "record.json", ENCODING_JSON).save(
            folder / "record.bundle.json"
        )
        (folder / "record-rewritten.json").write_text(JSON_REWRITTEN, encoding="utf-8")
        edited = JSON_REWRITTEN.replace("1900.5", "1900.6")
        (folder / "record-changed.json").write_text(edited, encoding="utf-8")
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
        json_record=folder / "record-rewritten.json",
        json_bundle=folder / "record.bundle.json",
        json_changed=folder / "record-changed.json",
        valid_id=ids["valid"],
        revoked_id=ids["revoked"],
    )
