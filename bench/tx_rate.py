"""Transactions per second through ape: in-process (boa) and anvil (ape-foundry).

Run with ``make bench`` (or ``.venv/bin/python bench/tx_rate.py``).
Each provider executes the same governance workload: proposals that add an
account and grant a role, approved by a second organisation and executed.
Writes bench/tx_rate.json.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import ape
from ape import accounts, networks, project
from ape.logging import logger

from trustspace.ape_tuning import cache_custom_networks
from trustspace.governance import Governance, OrgSeed, deploy_consortium
from trustspace.roles import OrgKind, Role

ROUNDS = 40
OUT = Path(__file__).with_name("tx_rate.json")


def measure(choice: str) -> dict[str, float | int | str]:
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
        for i in range(ROUNDS):
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


def main() -> None:
    logger.set_level("ERROR")
    cache_custom_networks()
    results = [measure("ethereum:local:boa"), measure("ethereum:local:foundry")]
    report = {"machine": f"{platform.machine()} {platform.processor()}".strip(), "results": results}
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    for row in results:
        print(f"{row['provider']:>8}: {row['tx_per_s']} tx/s ({row['transactions']} tx)")


if __name__ == "__main__":
    main()
