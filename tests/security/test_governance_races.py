"""Governance races: two proposals, or a proposal and time, that interleave badly.

Each test lets the Consortium see the interleaving an attacker (or bad luck) would choose:
execute after expiry, approve after the approving organisation was removed, an approval
that stops counting when its organisation or key goes, two proposals that are each fine but
together would leave the threshold above the number of live admin organisations, and
cancel/execute on the same proposal. After each race the invariant
``1 <= threshold <= live_admin_orgs`` holds and nothing half-applied is left.
"""

from __future__ import annotations

from typing import Any

import ape
import pytest

from trustspace.consortium.constants import OrgKind, ProposalStatus
from trustspace.consortium.governance import OrgSeed

CUSTOMS, TAX, MARITIME = 1, 2, 3


def assert_threshold_reachable(consortium):
    assert 1 <= consortium.threshold() <= consortium.live_admin_orgs()


# ---------------------------------------------------------------- execute after expiry


def test_race__call_executed_at_expiry__refused_target_untouched(
    consortium, governance, approvers, project, deployer, chain
):
    target = deployer.deploy(project.GovernedTarget, consortium)
    pid = governance.propose(
        "call", sender=approvers[0], target=target, data=target.set_value.encode_input(42)
    )
    expires_at = consortium.proposals(pid).expires_at
    chain.pending_timestamp = expires_at - 1
    governance.approve(pid, sender=approvers[1])  # the approval lands in the last second
    assert consortium.tally(pid).approvals == 2
    chain.pending_timestamp = expires_at  # ... and the execution one second too late
    with ape.reverts("consortium: proposal expired"):
        governance.execute(pid, sender=approvers[0])
    assert target.value() == 0
    assert not consortium.is_executable(pid)
    assert governance.status(pid) == ProposalStatus.OPEN  # open but dead: never executable again
    chain.pending_timestamp = expires_at + 86400
    with ape.reverts("consortium: proposal expired"):
        governance.execute(pid, sender=approvers[1])


# ------------------------------------------------------------ approve after removal


def test_race__approve_after_own_org_removed__refused(
    consortium, governance, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    governance.enact("remove_org", approvers=[customs_admin, maritime_admin], org_id=TAX)
    with ape.reverts("consortium: not admin"):
        governance.approve(pid, sender=tax_admin)
    assert consortium.tally(pid).approvals == 1
    assert_threshold_reachable(consortium)


def test_race__approval_given_then_org_removed__stops_counting_at_execution(
    consortium, governance, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    assert consortium.is_executable(pid)
    # A competing proposal removes tax before anyone executes the first one.
    governance.enact("remove_org", approvers=[customs_admin, maritime_admin], org_id=TAX)
    assert consortium.tally(pid).approvals == 1 and not consortium.is_executable(pid)
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=customs_admin)
    assert consortium.org_of(newcomer) == 0


def test_race__approving_key_removed_from_its_org__stops_counting(
    consortium, governance, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    # Tax's only admin key leaves: tax is no longer an admin organisation, its approval is void.
    governance.enact("remove_account", approvers=[customs_admin, maritime_admin], account=tax_admin)
    assert consortium.live_admin_orgs() == 2
    assert consortium.tally(pid).approvals == 1
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=customs_admin)


def test_race__proposer_removed_before_execution__own_approval_void(
    consortium, governance, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = governance.propose("add_account", sender=maritime_admin, org_id=CUSTOMS, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    governance.enact("suspend_org", approvers=[customs_admin, tax_admin], org_id=MARITIME)
    assert consortium.tally(pid).approvals == 1
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=tax_admin)
    with ape.reverts("consortium: not admin"):
        governance.execute(pid, sender=maritime_admin)
    # A fresh approval by a live organisation makes it pass: nothing was lost, only re-counted.
    governance.approve(pid, sender=customs_admin)
    governance.execute(pid, sender=customs_admin)
    assert consortium.org_of(newcomer) == CUSTOMS


# ------------------------------------------------- threshold above live admin organisations


# Each race: two (action, arguments) proposals; "maritime_admin" names the actor fixture.
RACES: dict[str, tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    # Each pair of proposals is valid on its own; applied together they would leave a
    # threshold of 3 with only 2 live admin organisations.
    "raise_then_remove": (
        ("set_threshold", {"threshold": 3}),
        ("remove_org", {"org_id": MARITIME}),
    ),
    "remove_then_raise": (
        ("remove_org", {"org_id": MARITIME}),
        ("set_threshold", {"threshold": 3}),
    ),
    "raise_then_suspend": (("set_threshold", {"threshold": 3}), ("suspend_org", {"org_id": TAX})),
    "raise_then_revoke_last_admin": (
        ("set_threshold", {"threshold": 3}),
        ("revoke_role", {"account": "maritime_admin", "roles": 1}),
    ),
}
REASONS = {
    "set_threshold": "consortium: bad threshold",
    "remove_org": "consortium: threshold above admin orgs",
    "suspend_org": "consortium: threshold above admin orgs",
    "revoke_role": "consortium: threshold above admin orgs",
}


@pytest.mark.parametrize("race", sorted(RACES))
def test_race__two_proposals_would_lift_threshold_above_admin_orgs__second_refused(
    consortium, governance, customs_admin, tax_admin, maritime_admin, race
):
    actors = {"maritime_admin": maritime_admin}
    pids = []
    for action, values in RACES[race]:
        args = {k: actors.get(v, v) if isinstance(v, str) else v for k, v in values.items()}
        pid = governance.propose(action, sender=customs_admin, **args)
        # Every organisation approves both: each would pass even after a raise to 3.
        governance.approve(pid, sender=tax_admin)
        governance.approve(pid, sender=maritime_admin)
        pids.append((action, pid))
    (_, first), (second_action, second) = pids
    assert consortium.is_executable(first) and consortium.is_executable(second)
    governance.execute(first, sender=customs_admin)
    with ape.reverts(REASONS[second_action]):
        governance.execute(second, sender=customs_admin)
    assert governance.status(second) == ProposalStatus.OPEN
    assert_threshold_reachable(consortium)


def test_race__threshold_equal_to_admin_orgs__one_suspension_refused_until_lowered(
    deploy_consortium, customs_admin, tax_admin, maritime_admin, forex_admin
):
    from trustspace.consortium.governance import Governance

    consortium = deploy_consortium(
        orgs=[
            OrgSeed("Customs", OrgKind.CUSTOMS, [customs_admin]),
            OrgSeed("Tax", OrgKind.TAX, [tax_admin]),
            OrgSeed("Maritime", OrgKind.MARITIME, [maritime_admin]),
            OrgSeed("Forex", OrgKind.FOREX, [forex_admin]),
        ],
        threshold=4,
    )
    gov = Governance(consortium)
    everyone = [customs_admin, tax_admin, maritime_admin, forex_admin]
    suspend = gov.propose("suspend_org", sender=customs_admin, org_id=4)
    lower = gov.propose("set_threshold", sender=customs_admin, threshold=3)
    for admin in everyone[1:]:
        gov.approve(suspend, sender=admin)
        gov.approve(lower, sender=admin)
    with ape.reverts("consortium: threshold above admin orgs"):
        gov.execute(suspend, sender=customs_admin)
    gov.execute(lower, sender=customs_admin)
    gov.execute(suspend, sender=customs_admin)  # forex's approval no longer needed: 3 of 3
    assert (consortium.threshold(), consortium.live_admin_orgs()) == (3, 3)


# ------------------------------------------------------------------ cancel vs execute


def test_race__cancel_after_execute_and_execute_after_cancel__refused(
    consortium, governance, customs_admin, tax_admin, newcomer, customs_admin_2
):
    done = governance.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    governance.approve(done, sender=tax_admin)
    governance.execute(done, sender=tax_admin)
    with ape.reverts("consortium: proposal not open"):
        governance.cancel(done, sender=customs_admin)
    dropped = governance.propose(
        "add_account", sender=customs_admin, org_id=CUSTOMS, account=customs_admin_2
    )
    governance.approve(dropped, sender=tax_admin)
    governance.cancel(dropped, sender=customs_admin)
    with ape.reverts("consortium: proposal not open"):
        governance.execute(dropped, sender=tax_admin)
    with ape.reverts("consortium: proposal not open"):
        governance.approve(dropped, sender=tax_admin)
    assert consortium.org_of(customs_admin_2) == 0
