"""Readable views of on-chain state for the CLI, scripts and ``ape console``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

__all__ = ["consortium_tables", "role_names"]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def role_names(flags: int) -> str:
    """``Role.ADMIN | Role.NOTARY`` as ``"ADMIN, NOTARY"`` (``"-"`` for none)."""
    names = [role.name or "" for role in Role if flags & role]
    return ", ".join(names) if names else "-"


def consortium_tables(consortium: ContractInstance) -> list[Table]:
    """Organisations (with accounts and live roles) and the governance settings."""
    gov = Governance(consortium)
    orgs = Table(title=f"Consortium {consortium.address}")
    for column in ("id", "organisation", "kind", "status", "DID", "accounts and live roles"):
        orgs.add_column(column)
    for org in gov.organisations():
        members = "\n".join(f"{a} {role_names(gov.roles_of(a))}" for a in org.accounts)
        did = "-" if org.did == ZERO_ADDRESS else org.did
        orgs.add_row(str(org.org_id), org.name, org.kind.name, org.status.name, did, members or "-")
    settings = Table(title="Governance")
    settings.add_column("setting")
    settings.add_column("value")
    settings.add_row("threshold (distinct organisations)", str(consortium.threshold()))
    settings.add_row("live admin organisations", str(consortium.live_admin_orgs()))
    settings.add_row("proposal lifetime (s)", str(consortium.proposal_lifetime()))
    settings.add_row("proposals made", str(consortium.proposal_count()))
    settings.add_row("allowed nodes", str(consortium.node_count()))
    return [orgs, settings]
