"""The data space demo (trustspace/devnet/demo_dataspace.py) on anvil through ape: customs
offers, tax requests, customs accepts, tax fetches and verifies (log and attestation), the
supervisor's log shows the transfer, the connector is found through customs' DID, and after termination the next fetch is refused."""

import pytest

from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
from trustspace.dataspace.client import DataServiceClient
from trustspace.devnet.demo_dataspace import DECLARATIONS, PURPOSE, run_dataspace_demo
from trustspace.notary.client import NotaryClient

pytestmark = pytest.mark.anvil


def test_dataspace_demo__on_anvil__fetch_verified_logged_then_refused(
    project, networks, deployer, customs_admin, tax_admin, customs_notary, tax_clerk, tmp_path
):
    with networks.parse_network_choice("ethereum:local:foundry"):
        consortium = deploy_consortium(
            project,
            deployer,
            [
                OrgSeed(
                    "Customs Authority", OrgKind.CUSTOMS, [customs_admin], customs_admin.address
                ),
                OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
            ],
            threshold=2,
        )
        gov = Governance(consortium)
        approvers = [customs_admin, tax_admin]
        gov.enact("add_account", approvers=approvers, org_id=1, account=customs_notary)
        gov.enact("grant_role", approvers=approvers, account=customs_notary, roles=Role.NOTARY)
        gov.enact("add_account", approvers=approvers, org_id=2, account=tax_clerk)
        client = DataServiceClient(deployer.deploy(project.DataService, consortium))
        notary = NotaryClient(deployer.deploy(project.Notary, consortium))
        registry = deployer.deploy(project.DIDRegistry)
        lines: list[str] = []

        report = run_dataspace_demo(
            client,
            customs_admin=customs_admin,
            tax_admin=tax_admin,
            connector_account=customs_notary,
            tax_clerk=tax_clerk,
            notary=notary,
            registry=registry,
            folder=tmp_path,
            say=lines.append,
        )

    assert report["payload"].decode() == DECLARATIONS
    assert report["endpoint"].startswith("http://127.0.0.1:")  # resolved from customs' DID
    assert any("did/svc/DataConnector" in line for line in lines)
    assert report["attested"] is True
    (row,) = report["log"]["agreements"]
    assert (row["purpose"], row["consumerOrg"], row["transfers"]) == (PURPOSE, 2, 1)
    (transfer,) = report["log"]["transfers"]
    assert transfer["payloadDigest"] == "0x" + report["digest"].hex()
    assert transfer["consumer"] == tax_clerk.address
    assert report["log"]["totals"][PURPOSE]["transfers"] == 1
    assert report["refusal"] == "agreement terminated"
    assert any("refused (agreement terminated)" in line for line in lines)
