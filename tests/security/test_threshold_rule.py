"""Which threshold an open proposal needs when the threshold changes under it (issue 11).

The rule: a proposal executes only with live approvals from ``max(threshold when it was
proposed, threshold now)`` distinct organisations (``approvals_needed``). So a threshold
RAISED — e.g. to retire a weak 2-of-n — binds every proposal still open, and a threshold
LOWERED never makes an older proposal executable with fewer organisations than it was
made under (a stale proposal that gathered too few approvals cannot be slipped through
after a lowering). Before the fix the current threshold alone counted, so the lowering
attack below executed a proposal that had never reached the threshold of its time.
"""

from __future__ import annotations

import ape
import pytest

from trustspace.consortium.constants import OrgKind, ProposalStatus
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
    assert consortium.approvals(stale) == 2
    with ape.reverts("consortium: not enough approvals"):
        gov.execute(stale, sender=customs_admin)
    assert not consortium.is_executable(stale)
    assert consortium.approvals_needed(stale) == 3
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
    assert consortium.approvals_needed(fresh) == 2
    assert consortium.is_executable(fresh)
    gov.execute(fresh, sender=tax_admin)
    assert consortium.org_of(newcomer) == CUSTOMS


def test_threshold_raised__binds_proposals_already_open(
    four_orgs, customs_admin, tax_admin, maritime_admin, forex_admin, newcomer
):
    consortium, gov = four_orgs
    weak = gov.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    gov.approve(weak, sender=tax_admin)
    gov.approve(weak, sender=maritime_admin)
    assert consortium.is_executable(weak)  # 3 of 3 ...
    set_threshold(gov, 4, [customs_admin, tax_admin, maritime_admin])
    assert consortium.approvals_needed(weak) == 4  # ... but the raise binds it
    assert not consortium.is_executable(weak)
    with ape.reverts("consortium: not enough approvals"):
        gov.execute(weak, sender=customs_admin)
    assert gov.status(weak) == ProposalStatus.OPEN
    gov.approve(weak, sender=forex_admin)
    gov.execute(weak, sender=customs_admin)
    assert consortium.org_of(newcomer) == CUSTOMS


def test_threshold_raised_then_lowered_back__open_proposal_needs_the_larger_of_then_and_now(
    four_orgs, customs_admin, tax_admin, maritime_admin, forex_admin, newcomer
):
    consortium, gov = four_orgs
    pid = gov.propose("add_account", sender=customs_admin, org_id=CUSTOMS, account=newcomer)
    set_threshold(gov, 4, [customs_admin, tax_admin, maritime_admin])
    assert consortium.approvals_needed(pid) == 4
    set_threshold(gov, 2, [customs_admin, tax_admin, maritime_admin, forex_admin])
    assert consortium.approvals_needed(pid) == 3  # its own threshold, not the new 2
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
