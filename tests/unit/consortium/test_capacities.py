"""Capacities and seed checks: every bound the Consortium enforces refuses one past it."""

from __future__ import annotations

import ape
import pytest
from eth_utils import to_checksum_address

from trustspace.consortium.constants import Action, OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, constructor_args, encode_args

WEEK = 7 * 86400
MAX_ORGS = 64
MAX_ACCOUNTS_PER_ORG = 32
MAX_HOLDERS = 256


def fake_accounts(count: int, start: int = 1) -> list[str]:
    """Distinct addresses that nobody signs for: members that only fill capacity."""
    return [f"0x{0xC0DE << 140 | i:040x}" for i in range(start, start + count)]


def test_constructor__no_organisations__reverts(project, deployer):
    with ape.reverts("consortium: no organisations"):
        deployer.deploy(project.Consortium, [], [], [], [], [], 1, WEEK)


def test_constructor__kinds_or_dids_not_one_per_name__reverts(project, deployer, customs_admin):
    zero = "0x" + "00" * 20
    for kinds, dids in (([1], [zero, zero]), ([1, 2], [zero])):
        with ape.reverts("consortium: seed length mismatch"):
            deployer.deploy(
                project.Consortium, ["A", "B"], kinds, dids, [customs_admin], [1], 1, WEEK
            )


def test_constructor__admin_orgs_not_one_per_admin__reverts(
    project, deployer, customs_admin, tax_admin
):
    zero = "0x" + "00" * 20
    with ape.reverts("consortium: seed length mismatch"):
        deployer.deploy(
            project.Consortium, ["A"], [1], [zero], [customs_admin, tax_admin], [1], 1, WEEK
        )


def test_add_org__beyond_max_orgs__reverts(deploy_consortium, customs_admin, tax_admin):
    orgs = [OrgSeed("Customs", OrgKind.CUSTOMS, [customs_admin])]
    orgs += [OrgSeed(f"Agency {i}", OrgKind.OTHER, []) for i in range(2, MAX_ORGS + 1)]
    consortium = deploy_consortium(orgs=orgs, threshold=1)
    assert consortium.org_count() == MAX_ORGS
    with ape.reverts("consortium: too many organisations"):
        Governance(consortium).propose("add_org", sender=customs_admin, name="One more", kind=6)


def test_add_account__beyond_max_accounts_per_org__reverts(
    deploy_consortium, customs_admin, newcomer
):
    admins = [customs_admin, *fake_accounts(MAX_ACCOUNTS_PER_ORG - 1)]
    consortium = deploy_consortium(orgs=[OrgSeed("Customs", OrgKind.CUSTOMS, admins)], threshold=1)
    assert len(consortium.accounts_of(1)) == MAX_ACCOUNTS_PER_ORG
    with ape.reverts("consortium: organisation full"):
        Governance(consortium).propose(
            "add_account", sender=customs_admin, org_id=1, account=newcomer
        )


def test_constructor__more_admins_than_an_org_holds__reverts(project, deployer):
    admins = fake_accounts(MAX_ACCOUNTS_PER_ORG + 1)
    args = constructor_args([OrgSeed("Customs", OrgKind.CUSTOMS, admins)], 1, WEEK)
    with ape.reverts("consortium: organisation full"):
        deployer.deploy(project.Consortium, *args)


def fill_by_threshold_one(chain, consortium, admin, calls):
    """Propose and execute ``(action, values)`` pairs straight on the in-process EVM.

    Filling a 256-entry list takes ~770 transactions; through ape that is 16 s, through
    boa's ``execute_code`` well under one. Threshold 1: the proposer's approval suffices.
    """
    env = getattr(chain.provider, "env", None)
    if env is None:
        pytest.skip("needs the in-process provider (boa) to fill capacity quickly")
    for action, values in calls:
        args = encode_args(action, **values)
        data = consortium.propose.encode_input(int(action), args, b"\0" * 32)
        result = env.execute_code(to_address=consortium.address, sender=admin.address, data=data)
        assert result.is_success, result.error
        pid = int.from_bytes(result.output, "big")
        data = consortium.execute.encode_input(pid, args, b"\0" * 32)
        result = env.execute_code(to_address=consortium.address, sender=admin.address, data=data)
        assert result.is_success, result.error


def test_grant_role__beyond_max_holders__reverts(deploy_consortium, customs_admin, chain):
    # 64 seeded admins (2 organisations of 32) hold ADMIN; 192 more are added and granted.
    seeded = [customs_admin, *fake_accounts(63)]
    orgs = [
        OrgSeed("Customs", OrgKind.CUSTOMS, seeded[:32]),
        OrgSeed("Tax", OrgKind.TAX, seeded[32:]),
    ]
    orgs += [OrgSeed(f"Agency {i}", OrgKind.OTHER, []) for i in range(3, 10)]
    consortium = deploy_consortium(orgs=orgs, threshold=1)
    gov = Governance(consortium)
    extra = fake_accounts(MAX_HOLDERS - len(seeded) + 1, start=1_000)
    calls = []
    for i, account in enumerate(extra):
        calls.append(
            (Action.ADD_ACCOUNT, {"org_id": 3 + i // MAX_ACCOUNTS_PER_ORG, "account": account})
        )
        if i < len(extra) - 1:
            calls.append((Action.GRANT_ROLE, {"account": account, "roles": Role.ADMIN}))
    fill_by_threshold_one(chain, consortium, customs_admin, calls)
    assert len(consortium.holders_of(Role.ADMIN)) == MAX_HOLDERS
    pid = gov.propose("grant_role", sender=customs_admin, account=extra[-1], roles=Role.ADMIN)
    with ape.reverts("consortium: too many holders"):
        gov.execute(pid, sender=customs_admin)
    # NOTARY has its own list: the same account may still take that flag.
    gov.enact("grant_role", approvers=[customs_admin], account=extra[-1], roles=Role.NOTARY)
    assert consortium.holders_of(Role.NOTARY) == [to_checksum_address(extra[-1])]
