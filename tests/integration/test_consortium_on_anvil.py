"""The Consortium over JSON-RPC on anvil (through ape-foundry), not only in-process."""

import ape
import pytest

from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium

pytestmark = pytest.mark.anvil


def test_governance_round_trip_on_anvil(
    project, networks, deployer, customs_admin, tax_admin, newcomer
):
    # The role-named test accounts hold the same keys on every local provider.
    customs, tax, clerk = customs_admin, tax_admin, newcomer
    with networks.parse_network_choice("ethereum:local:foundry") as provider:
        assert provider.name == "foundry"
        consortium = deploy_consortium(
            project,
            deployer,
            [OrgSeed("Customs", OrgKind.CUSTOMS, [customs]), OrgSeed("Tax", OrgKind.TAX, [tax])],
            threshold=2,
        )
        gov = Governance(consortium)
        gov.enact("add_account", approvers=[customs, tax], org_id=1, account=clerk)
        gov.enact("grant_role", approvers=[customs, tax], account=clerk, roles=Role.NOTARY)
        assert consortium.has_role(clerk, Role.NOTARY)
        pid = gov.propose("revoke_role", sender=customs, account=clerk, roles=Role.NOTARY)
        with ape.reverts("consortium: not enough approvals"):
            gov.execute(pid, sender=customs)
        assert consortium.has_role(clerk, Role.NOTARY)
