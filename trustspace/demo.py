"""The end-to-end demo, run by ``make demo`` (``ape run demo``).

For now it covers membership: five agencies join a Consortium on the
in-process chain, governance adds accounts and grants roles by k-of-n
approval of distinct organisations, and the resulting state is printed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from rich.console import Console

from trustspace.governance import Governance, OrgSeed, deploy_consortium
from trustspace.report import consortium_tables
from trustspace.roles import OrgKind, Role

AGENCIES: tuple[tuple[str, OrgKind], ...] = (
    ("Customs Authority", OrgKind.CUSTOMS),
    ("Tax Administration", OrgKind.TAX),
    ("Maritime Authority", OrgKind.MARITIME),
    ("Foreign Exchange Office", OrgKind.FOREX),
    ("Ministry of Trade", OrgKind.MINISTRY),
)


def run_membership_demo(project: Any, accounts: Sequence[Any], console: Console) -> Any:
    """Deploy a five-agency Consortium, govern it, print its state; returns the contract."""
    started = time.perf_counter()
    deployer, admins, staff = accounts[0], list(accounts[1:6]), list(accounts[6:11])
    seeds = [
        OrgSeed(name, kind, [admin]) for (name, kind), admin in zip(AGENCIES, admins, strict=True)
    ]
    with console.status("deploying the Consortium (threshold 3 of 5 agencies)"):
        consortium = deploy_consortium(project, deployer, seeds, threshold=3)
    console.print(
        f"[green]Consortium deployed[/] at {consortium.address}; the deployer holds no role"
    )
    gov = Governance(consortium)
    customs, tax, maritime = admins[0], admins[1], admins[2]
    approvers = [customs, tax, maritime]
    for org_id, clerk in enumerate(staff, start=1):
        reason = f"staff account of organisation {org_id}"
        gov.enact("add_account", approvers=approvers, org_id=org_id, account=clerk, reason=reason)
    gov.enact("grant_role", approvers=approvers, account=staff[0], roles=Role.NOTARY)
    gov.enact("grant_role", approvers=approvers, account=staff[1], roles=Role.NOTARY | Role.AUDITOR)
    for admin in admins:
        gov.enact("grant_role", approvers=approvers, account=admin, roles=Role.VALIDATOR)
    console.print(
        f"[green]{consortium.proposal_count()} proposals[/] executed, "
        "each approved by 3 distinct agencies"
    )
    # A single agency cannot act alone: one approval is below the threshold.
    pid = gov.propose("suspend_org", sender=customs, org_id=4, reason="unilateral attempt")
    console.print(
        f"proposal {pid} (suspend an agency) has {consortium.approvals(pid)} approval of "
        f"{consortium.threshold()} needed: executable = {consortium.is_executable(pid)}"
    )
    gov.cancel(pid, sender=customs)
    for table in consortium_tables(consortium):
        console.print(table)
    console.print(f"done in {time.perf_counter() - started:.1f} s")
    return consortium
