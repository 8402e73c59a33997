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


def test_execute__proposal_opened_elsewhere__arguments_read_from_its_proposed_event(
    project, networks, deployer, customs_admin, tax_admin, newcomer, outsider
):
    from eth_account import Account
    from web3 import Web3

    from trustspace.artifacts import abi
    from trustspace.consortium.constants import Action
    from trustspace.consortium.governance import encode_args, reason_hash

    customs, tax = customs_admin, tax_admin
    with networks.parse_network_choice("ethereum:local:foundry") as provider:
        consortium = deploy_consortium(
            project,
            deployer,
            [OrgSeed("Customs", OrgKind.CUSTOMS, [customs]), OrgSeed("Tax", OrgKind.TAX, [tax])],
            threshold=2,
        )
        # Opened by raw calls, as another process or another agency's software would.
        opened = []
        for account in (newcomer, outsider):
            args = encode_args("add_account", org_id=2, account=account)
            tx = consortium.propose(Action.ADD_ACCOUNT, args, reason_hash("CHG-1"), sender=tax)
            opened.append(tx.return_value)
            consortium.approve(opened[-1], sender=customs)
        # Over ape: a Governance that never saw the proposal finds its event.
        made = Governance(consortium).proposed(opened[0])
        assert (made.proposer, made.reason) == (tax.address, reason_hash("CHG-1"))
        Governance(consortium).execute(opened[0], sender=customs)
        assert consortium.org_of(newcomer) == 2
        # Over web3.py: the same, with eth_getLogs filtered by the proposal id topic.
        w3 = Web3(Web3.HTTPProvider(provider.uri))  # a plain client, as the daemons use
        web3_gov = Governance(w3.eth.contract(address=consortium.address, abi=abi("Consortium")))
        web3_gov.execute(opened[1], sender=Account.from_key(customs.private_key))
        assert consortium.org_of(outsider) == 2
