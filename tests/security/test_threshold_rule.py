"""Which threshold an open proposal needs when the threshold changes under it (issues 11, 14).

The rule: a proposal is judged by the policy in force when it was opened (its snapshot,
``tally(id).needed``; the default policy is k-of-n with the threshold of that time). So a
threshold LOWERED never makes an older proposal executable with fewer organisations than
it was made under (a stale proposal that gathered too few approvals cannot be slipped
through after a lowering: before issue 11 the current threshold alone counted, and the
lowering attack below executed a proposal that had never reached the threshold of its
time). Since issue 14 a threshold RAISED no longer binds proposals already open (the
snapshot rule of per-action policies); to retire a weak rule, its organisations cancel the
open proposals (docs/governance.md).
"""

from __future__ import annotations

import ape
import pytest

from trustspace.consortium.constants import OrgKind
from trustspace.consortium.governance import Governance, OrgSeed

CUSTOMS = 1


@pytest.fixture
def four_orgs(deploy_consortium, customs_admin, tax_admin, maritime_admin, forex_admin):
    """Four organisations, one admin each, threshold 3."""
    consortium = deploy_consortium(
        orgs=[
            OrgSeed("Customs", OrgKind.CUSTOMS, [customs_admin]),
            OrgSeed("Tax", OrgKind.TAX, [tax_admin]),
            OrgSeed("Maritime", OrgKind.MARITIME, [maritime_admin]),
            OrgSeed("Forex", OrgKind.FOREX, [forex_admin]),
        ],
        threshold=3,
    )
    return consortium, Governance(consortium)


def set_threshold(gov, threshold, approvers):
    pid = gov.propose("set_threshold", sender=approvers[0], threshold=threshold)
    for admin in approvers[1:]:
        gov.approve(pid, sender=admin)
    gov.execute(pid, sender=approvers[0])


def test_threshold_lowered__stale_proposal_still_needs_threshold_of_its_time(
    four_orgs, customs_admin, tax_admin, maritime_admin, newcomer
):
    consortium, gov = four_orgs
    stale = gov.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    gov.approve(stale, sender=tax_admin)  # 2 of the 3 it was proposed under
    set_threshold(gov, 2, [customs_admin, tax_admin, maritime_admin])
    assert consortium.threshold() == 2
    assert consortium.tally(stale).approvals == 2
    with ape.reverts("consortium: not enough approvals"):
        gov.execute(stale, sender=customs_admin)
    assert not consortium.is_executable(stale)
    assert consortium.tally(stale).needed == 3
    assert consortium.org_of(newcomer) == 0
    # A third organisation's approval makes it pass, as it would have before the lowering.
    gov.approve(stale, sender=maritime_admin)
    gov.execute(stale, sender=customs_admin)
    assert consortium.org_of(newcomer) == CUSTOMS


def test_threshold_lowered__proposal_made_after__needs_only_the_new_threshold(
    four_orgs, customs_admin, tax_admin, maritime_admin, newcomer
):
    consortium, gov = four_orgs
    set_threshold(gov, 2, [customs_admin, tax_admin, maritime_admin])
    fresh = gov.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    gov.approve(fresh, sender=tax_admin)
    assert consortium.tally(fresh).needed == 2
    assert consortium.is_executable(fresh)
    gov.execute(fresh, sender=tax_admin)
    assert consortium.org_of(newcomer) == CUSTOMS


def test_threshold_raised__open_proposal_keeps_the_threshold_of_its_time(
    four_orgs, customs_admin, tax_admin, maritime_admin, forex_admin, newcomer
):
    consortium, gov = four_orgs
    weak = gov.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    gov.approve(weak, sender=tax_admin)
    set_threshold(gov, 4, [customs_admin, tax_admin, maritime_admin])
    assert consortium.tally(weak).needed == 3  # its snapshot, not the new 4
    assert not consortium.is_executable(weak)  # 2 of 3: one below
    with ape.reverts("consortium: not enough approvals"):
        gov.execute(weak, sender=customs_admin)
    gov.approve(weak, sender=maritime_admin)
    gov.execute(weak, sender=customs_admin)
    assert consortium.org_of(newcomer) == CUSTOMS
    fresh = gov.propose("suspend_org", sender=customs_admin, org_id=4)
    assert consortium.tally(fresh).needed == 4  # proposals opened after the raise need 4


def test_threshold_raised_then_lowered_back__open_proposal_needs_its_own_threshold(
    four_orgs, customs_admin, tax_admin, maritime_admin, forex_admin, newcomer
):
    consortium, gov = four_orgs
    pid = gov.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    set_threshold(gov, 4, [customs_admin, tax_admin, maritime_admin])
    assert consortium.tally(pid).needed == 3
    set_threshold(gov, 2, [customs_admin, tax_admin, maritime_admin, forex_admin])
    assert consortium.tally(pid).needed == 3  # its own threshold, not the new 2
    gov.approve(pid, sender=tax_admin)
    with ape.reverts("consortium: not enough approvals"):
        gov.execute(pid, sender=customs_admin)
    gov.approve(pid, sender=forex_admin)
    gov.execute(pid, sender=customs_admin)
    assert consortium.org_of(newcomer) == CUSTOMS


def test_threshold_lowering_proposal__itself_needs_the_threshold_it_lowers(
    four_orgs, customs_admin, tax_admin, maritime_admin
):
    consortium, gov = four_orgs
    lower = gov.propose("set_threshold", sender=customs_admin, threshold=1)
    gov.approve(lower, sender=tax_admin)
    with ape.reverts("consortium: not enough approvals"):
        gov.execute(lower, sender=customs_admin)
    gov.approve(lower, sender=maritime_admin)
    tx = gov.execute(lower, sender=customs_admin)
    (changed,) = tx.decode_logs(consortium.ThresholdChanged)
    assert (changed.threshold, changed.proposal_id) == (1, lower)
