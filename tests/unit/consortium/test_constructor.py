"""Bootstrap: the deployer seeds organisations, admins and the threshold, then holds nothing."""

import ape
import pytest

from trustspace.consortium.constants import OrgKind, OrgStatus, Role
from trustspace.consortium.governance import OrgSeed

ZERO = "0x0000000000000000000000000000000000000000"


def test_constructor__seeds_orgs_admins_and_threshold(
    consortium, customs_admin, tax_admin, maritime_admin
):
    assert consortium.org_count() == 3
    assert consortium.organisations() == [1, 2, 3]
    org = consortium.organisation(1)
    assert (org.name, org.kind, org.status, org.did) == (
        "Customs Authority",
        OrgKind.CUSTOMS,
        OrgStatus.ACTIVE,
        ZERO,
    )
    assert consortium.accounts_of(2) == [tax_admin]
    assert consortium.threshold() == 2
    assert consortium.live_admin_orgs() == 3
    assert set(consortium.holders_of(Role.ADMIN)) == {
        a.address for a in (customs_admin, tax_admin, maritime_admin)
    }
    assert consortium.roles_of(customs_admin) == Role.ADMIN


def test_constructor__deployer_holds_no_power(consortium, deployer):
    assert consortium.org_of(deployer) == 0
    assert consortium.roles_of(deployer) == 0
    assert not consortium.transactionAllowed(deployer, ZERO, 0, 0, 0, b"")
    with ape.reverts("consortium: not admin"):
        consortium.propose(9, b"\x00" * 31 + b"\x01", b"\x00" * 32, sender=deployer)


def test_constructor__emits_seed_events(project, chain, deployer, customs_admin, tax_admin):
    orgs = [
        OrgSeed("Customs", OrgKind.CUSTOMS, [customs_admin], did=customs_admin),
        OrgSeed("Tax", OrgKind.TAX, [tax_admin]),
    ]
    from trustspace.consortium.governance import constructor_args

    contract = deployer.deploy(project.Consortium, *constructor_args(orgs, 1, 7 * 86400))
    receipt = chain.get_receipt(contract.txn_hash)
    added = receipt.decode_logs(contract.OrganisationAdded)
    assert [(e.org_id, e.name, e.kind, e.did, e.proposal_id) for e in added] == [
        (1, "Customs", OrgKind.CUSTOMS, customs_admin.address, 0),
        (2, "Tax", OrgKind.TAX, ZERO, 0),
    ]
    granted = receipt.decode_logs(contract.RoleGranted)
    assert [(e.account, e.role, e.expiry) for e in granted] == [
        (customs_admin.address, Role.ADMIN, 0),
        (tax_admin.address, Role.ADMIN, 0),
    ]
    (threshold,) = receipt.decode_logs(contract.ThresholdChanged)
    assert (threshold.threshold, threshold.proposal_id) == (1, 0)
    assert contract.org_by_did(customs_admin) == 1


@pytest.mark.parametrize(
    "threshold, reason",
    [(0, "consortium: bad threshold"), (4, "consortium: bad threshold")],
)
def test_constructor__threshold_outside_admin_orgs__reverts(deploy_consortium, threshold, reason):
    with ape.reverts(reason):
        deploy_consortium(threshold=threshold)


def test_constructor__threshold_counts_orgs_not_admin_keys(
    deploy_consortium, customs_admin, customs_admin_2
):
    two_keys_one_org = [OrgSeed("Customs", OrgKind.CUSTOMS, [customs_admin, customs_admin_2])]
    with ape.reverts("consortium: bad threshold"):
        deploy_consortium(orgs=two_keys_one_org, threshold=2)
    assert deploy_consortium(orgs=two_keys_one_org, threshold=1).live_admin_orgs() == 1


def test_constructor__bad_seeds__revert(deploy_consortium, customs_admin, tax_admin):
    with ape.reverts("consortium: unknown kind"):
        unknown = OrgSeed("X", 7, [customs_admin])  # type: ignore[arg-type]  # the kind under test
        deploy_consortium(orgs=[unknown], threshold=1)
    with ape.reverts("consortium: empty name"):
        deploy_consortium(orgs=[OrgSeed("", OrgKind.TAX, [customs_admin])], threshold=1)
    with ape.reverts("consortium: account already registered"):
        deploy_consortium(
            orgs=[
                OrgSeed("A", OrgKind.TAX, [customs_admin]),
                OrgSeed("B", OrgKind.TAX, [customs_admin]),
            ],
            threshold=1,
        )
    with ape.reverts("consortium: did in use"):
        deploy_consortium(
            orgs=[
                OrgSeed("A", OrgKind.TAX, [customs_admin], did=tax_admin),
                OrgSeed("B", OrgKind.TAX, [tax_admin], did=tax_admin),
            ],
            threshold=1,
        )
    with ape.reverts("consortium: bad lifetime"):
        deploy_consortium(lifetime=60)
