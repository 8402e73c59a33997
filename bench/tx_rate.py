"""Transactions per second through ape: in-process (boa) and anvil (ape-foundry).

Run alone: ``python -m bench.tx_rate`` (``make bench`` includes it).
Each provider executes the same governance workload: proposals that add an
account and grant a role, approved by a second organisation and executed.
Writes bench/tx_rate.json.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # python bench/tx_rate.py

import ape
from ape import accounts, networks, project
from ape.logging import logger

from bench.results import AT_LEAST, Figure
from trustspace.ape_tuning import tune_ape
from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium

ROUNDS = 40
OUT = Path(__file__).with_name("tx_rate.json")


#: One line for the method table of docs/performance.md.
METHOD = "the same governance workload through ape on boa and on anvil"


def measure(choice: str, rounds: int = ROUNDS) -> dict[str, float | int | str]:
    with networks.parse_network_choice(choice) as provider:
        test_accounts = accounts.test_accounts
        deployer, customs, tax = test_accounts[0], test_accounts[1], test_accounts[2]
        consortium = deploy_consortium(
            project,
            deployer,
            [OrgSeed("Customs", OrgKind.CUSTOMS, [customs]), OrgSeed("Tax", OrgKind.TAX, [tax])],
            threshold=2,
        )
        gov = Governance(consortium)
        txs = 0
        started = time.perf_counter()
        for i in range(rounds):
            clerk = ape.accounts.test_accounts.generate_test_account()
            gov.enact("add_account", approvers=[customs, tax], org_id=1 + i % 2, account=clerk)
            gov.enact("grant_role", approvers=[customs, tax], account=clerk, roles=Role.NOTARY)
            txs += 6
        elapsed = time.perf_counter() - started
        return {
            "provider": provider.name,
            "transactions": txs,
            "seconds": round(elapsed, 3),
            "tx_per_s": round(txs / elapsed, 1),
        }


def run(quick: bool = False) -> list[Figure]:
    """Transactions per second on boa and on anvil (informational: DESIGN.md's figures)."""
    logger.set_level("ERROR")
    tune_ape()
    rounds = 10 if quick else ROUNDS
    figures = []
    for choice, design in (("ethereum:local:boa", 80), ("ethereum:local:foundry", 35)):
        row = measure(choice, rounds)
        figures.append(
            Figure(
                id=f"python.tx_rate_{row['provider']}",
                group="Python tooling",
                name=f"Governance transactions through ape on {row['provider']} (tx/s)",
                measured=float(row["tx_per_s"]),
                unit="tx/s",
                comparison=AT_LEAST,
                note=f"{row['transactions']} tx; DESIGN.md measured ≈ {design} tx/s",
                details=row,
            )
        )
    return figures


def main() -> None:
    logger.set_level("ERROR")
    tune_ape()
    results = [measure("ethereum:local:boa"), measure("ethereum:local:foundry")]
    report = {"machine": f"{platform.machine()} {platform.processor()}".strip(), "results": results}
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    for row in results:
        print(f"{row['provider']:>8}: {row['tx_per_s']} tx/s ({row['transactions']} tx)")


if __name__ == "__main__":
    main()
