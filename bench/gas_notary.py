"""Notary gas from receipts on anvil, in the shape of ``bench/gas_notary.json``.

Run: ``python bench/gas_notary.py [--network ethereum:local:foundry]``. A thin view
over bench/gas_suite.py (which ``make bench`` runs for every contract); kept
because docs/notary.md cites this file and its JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Key of bench/gas_notary.json → row of bench/gas_suite.py.
ROWS = {
    "attest": "notary.attest",
    "attest_with_parent_and_expiry": "notary.attest_with_parent_and_expiry",
    "anchor_batch": "notary.anchorBatch_size_2^20",
    "anchor_batch_size_3": "notary.anchorBatch_size_3",
    "attest_by_sig_first_in_word": "notary.attestBySig_first_in_word",
    "attest_by_sig": "notary.attestBySig",
    "attest_by_sig_erc1271_first_in_word": "notary.attestBySig_erc1271_first_in_word",
    "attest_by_sig_erc1271": "notary.attestBySig_erc1271",
    "revoke": "notary.revoke",
    "revoke_batch_document": "notary.revokeDocument",
    "revoke_whole_batch": "notary.revoke_whole_batch",
    "verify_inclusion_2^20_estimate": "notary.verifyInclusion_2^20_estimate",
    "document_status_2^20_estimate": "notary.documentStatus_2^20_estimate",
}
TARGETED = ("attest", "anchor_batch", "attest_by_sig", "revoke", "verify_inclusion_2^20_estimate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--network", default="ethereum:local:foundry")
    parser.add_argument("--out", default=str(ROOT / "bench" / "gas_notary.json"))
    args = parser.parse_args()

    from bench.gas_suite import TARGETS, run

    measured = {f.id.removeprefix("gas."): int(f.measured or 0) for f in run(network=args.network)}
    gas = {key: measured[row] for key, row in ROWS.items()}
    targets = {key: TARGETS[ROWS[key]][0] for key in TARGETED}
    report = {
        "network": args.network,
        "gas": gas,
        "targets": targets,
        "within_target": {k: gas[k] <= v for k, v in targets.items()},
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
