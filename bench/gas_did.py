"""Gas of the DID operations from receipts on anvil, in the shape of ``bench/gas_did.json``.

Run from the project folder: ``python bench/gas_did.py``. A thin view over
bench/gas_suite.py (which ``make bench`` runs for every contract); kept because
docs/did.md cites this file and its JSON. Per operation: the measured gas, the
ERC-1056 reference figure (the benchmark issue's targets) and whether it stays
within it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPERATIONS = (
    "setAttribute_first",
    "setAttribute_later",
    "addDelegate",
    "changeOwner",
    "changeOwnerSigned",
    "setAttributeSigned",
    "changeOwner_fresh_identity",
    "revokeDelegate",
    "revokeAttribute",
    "addDelegateSigned",
    "revokeDelegateSigned",
    "revokeAttributeSigned",
)


def main() -> None:
    from ape.logging import logger

    from bench.gas_suite import run

    logger.set_level("ERROR")
    figures = {f.id.removeprefix("gas.did."): f for f in run() if f.id.startswith("gas.did.")}
    report: dict[str, dict[str, object]] = {}
    for op in OPERATIONS:
        f = figures[op]
        reference = None if op == "changeOwner_fresh_identity" else f.target
        within = None if reference is None else f.passed
        report[op] = {"gas": f.measured, "reference": reference, "within": within}
    out = Path(__file__).with_name("gas_did.json")
    out.write_text(json.dumps(report, indent=2) + "\n")
    for op, row in report.items():
        ref = f"{row['reference']:>8,}" if row["reference"] else "       -"
        verdict = {True: "ok", False: "OVER", None: ""}[row["within"]]  # type: ignore[index]
        print(f"{op:28} {row['gas']:>8,}  reference {ref}  {verdict}")


if __name__ == "__main__":
    main()
