"""Proposal lifecycle: propose, approve (distinct organisations), execute, cancel, expire."""

import ape

from trustspace.consortium.constants import Action, ProposalStatus, Role
from trustspace.consortium.governance import commitment, encode_args, reason_hash

WEEK = 7 * 86400


def test_propose__records_and_self_approves(consortium, governance, customs_admin, newcomer, chain):
    args = encode_args("add_account", org_id=1, account=newcomer)
    tx = consortium.propose(
        Action.ADD_ACCOUNT, args, reason_hash("new clerk"), sender=customs_admin
    )
    (proposed,) = tx.decode_logs(consortium.Proposed)
    assert proposed.proposal_id == 1
    assert proposed.proposer == customs_admin.address
    assert proposed.org_id == 1
    assert proposed.action == Action.ADD_ACCOUNT
    assert proposed.args == args
    assert proposed.reason == reason_hash("new clerk")
    assert proposed.policy == 1 | 2 << 8  # the default: k of n with the threshold, 2
    stored = consortium.proposals(1)
    assert proposed.expires_at == stored.created_at + WEEK
    assert stored.commitment == commitment(args, reason_hash("new clerk"))
    (approved,) = tx.decode_logs(consortium.Approved)
    assert (approved.proposal_id, approved.approver, approved.org_id, approved.approvals) == (
        1,
        customs_admin.address,
        1,
        1,
    )
    assert stored.status == ProposalStatus.OPEN
    assert stored.approved == 0b1 and stored.rejected == 0
    assert consortium.tally(1).approvals == 1
    assert not consortium.is_executable(1)


def test_propose__by_non_admin__reverts(consortium, outsider, newcomer):
    with ape.reverts("consortium: not admin"):
        consortium.propose(
            Action.ADD_ACCOUNT,
            encode_args("add_account", org_id=1, account=newcomer),
            b"\0" * 32,
            sender=outsider,
        )
    assert consortium.proposal_count() == 0


def test_propose__unknown_action__reverts(consortium, customs_admin):
    for action in (0, 18, 255):
        with ape.reverts("consortium: unknown action"):
            consortium.propose(action, b"", b"\0" * 32, sender=customs_admin)


def test_propose__failing_precondition__reverts_early(consortium, customs_admin, tax_admin):
    with ape.reverts("consortium: account already registered"):
        consortium.propose(
            Action.ADD_ACCOUNT,
            encode_args("add_account", org_id=1, account=tax_admin),
            b"\0" * 32,
            sender=customs_admin,
        )


def test_execute__with_threshold_of_distinct_orgs__applies(
    consortium, governance, customs_admin, tax_admin, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=2, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    assert consortium.is_executable(pid)
    tx = governance.execute(pid, sender=tax_admin)
    (executed,) = tx.decode_logs(consortium.Executed)
    assert (executed.proposal_id, executed.executor, executed.action) == (
        pid,
        tax_admin.address,
        Action.ADD_ACCOUNT,
    )
    assert consortium.org_of(newcomer) == 2
    assert governance.status(pid) == ProposalStatus.EXECUTED


def test_execute__below_threshold__reverts(consortium, governance, customs_admin, newcomer):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=customs_admin)
    assert consortium.org_of(newcomer) == 0


def test_approve__second_key_of_same_org__reverts(
    consortium, governance, approvers, customs_admin, customs_admin_2, newcomer
):
    governance.enact("add_account", approvers=approvers, org_id=1, account=customs_admin_2)
    governance.enact("grant_role", approvers=approvers, account=customs_admin_2, roles=Role.ADMIN)
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    with ape.reverts("consortium: org already voted"):
        governance.approve(pid, sender=customs_admin_2)
    assert consortium.tally(pid).approvals == 1
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=customs_admin_2)


def test_approve__by_non_admin__reverts(consortium, governance, customs_admin, outsider, newcomer):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    with ape.reverts("consortium: not admin"):
        governance.approve(pid, sender=outsider)


def test_approve__unknown_proposal__reverts(consortium, tax_admin):
    with ape.reverts("consortium: unknown proposal"):
        consortium.approve(42, sender=tax_admin)


def test_expired_proposal__cannot_be_approved_or_executed(
    consortium, governance, customs_admin, tax_admin, newcomer, chain
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    chain.pending_timestamp += WEEK
    with ape.reverts("consortium: proposal expired"):
        governance.approve(pid, sender=tax_admin)
    assert not consortium.is_executable(pid)


def test_expiry__execute_just_before_deadline__applies(
    consortium, governance, customs_admin, tax_admin, newcomer, chain
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    chain.pending_timestamp = consortium.proposals(pid).expires_at - 1
    governance.execute(pid, sender=customs_admin)
    assert consortium.org_of(newcomer) == 1


def test_expiry__execute_at_deadline__reverts(
    consortium, governance, customs_admin, tax_admin, newcomer, chain
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    chain.pending_timestamp = consortium.proposals(pid).expires_at
    with ape.reverts("consortium: proposal expired"):
        governance.execute(pid, sender=customs_admin)
    assert consortium.org_of(newcomer) == 0


def test_execute__twice__reverts(consortium, governance, approvers, newcomer):
    pid = governance.enact("add_account", approvers=approvers, org_id=1, account=newcomer)
    with ape.reverts("consortium: proposal not open"):
        governance.execute(pid, sender=approvers[0])


def test_execute__by_non_admin__reverts(
    consortium, governance, customs_admin, tax_admin, outsider, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    with ape.reverts("consortium: not admin"):
        governance.execute(pid, sender=outsider)


def test_execute__precondition_broken_since_proposal__reverts_and_stays_open(
    consortium, governance, customs_admin, tax_admin, maritime_admin, newcomer
):
    first = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    second = governance.propose("add_account", sender=tax_admin, org_id=2, account=newcomer)
    governance.approve(first, sender=maritime_admin)
    governance.execute(first, sender=customs_admin)
    governance.approve(second, sender=maritime_admin)
    with ape.reverts("consortium: account already registered"):
        governance.execute(second, sender=tax_admin)
    assert governance.status(second) == ProposalStatus.OPEN
    assert consortium.org_of(newcomer) == 1


def test_several_open_proposals__execute_in_any_order(
    consortium, governance, customs_admin, tax_admin, spare_accounts
):
    a, b, c = spare_accounts[:3]
    pids = [
        governance.propose("add_account", sender=customs_admin, org_id=1, account=x)
        for x in (a, b, c)
    ]
    for pid in reversed(pids):
        governance.approve(pid, sender=tax_admin)
        governance.execute(pid, sender=tax_admin)
    assert set(consortium.accounts_of(1)) == {
        customs_admin.address,
        a.address,
        b.address,
        c.address,
    }


def test_cancel__by_proposer__closes(consortium, governance, customs_admin, tax_admin, newcomer):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    tx = governance.cancel(pid, sender=customs_admin)
    (event,) = tx.decode_logs(consortium.Cancelled)
    assert (event.proposal_id, event.canceller) == (pid, customs_admin.address)
    assert governance.status(pid) == ProposalStatus.CANCELLED
    with ape.reverts("consortium: proposal not open"):
        governance.approve(pid, sender=tax_admin)


def test_cancel__by_admin_of_another_org__reverts(
    consortium, governance, customs_admin, tax_admin, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    with ape.reverts("consortium: not proposing org"):
        governance.cancel(pid, sender=tax_admin)
    assert governance.status(pid) == ProposalStatus.OPEN


def test_cancel__by_non_admin__reverts(consortium, governance, customs_admin, outsider, newcomer):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    with ape.reverts("consortium: not admin"):
        governance.cancel(pid, sender=outsider)
    assert governance.status(pid) == ProposalStatus.OPEN


def test_cancel__unknown_proposal__reverts(consortium, customs_admin):
    with ape.reverts("consortium: unknown proposal"):
        consortium.cancel(42, sender=customs_admin)


def test_cancel__by_another_admin_of_proposing_org__closes(
    consortium, governance, approvers, customs_admin, customs_admin_2, tax_admin, newcomer
):
    governance.enact("add_account", approvers=approvers, org_id=1, account=customs_admin_2)
    governance.enact("grant_role", approvers=approvers, account=customs_admin_2, roles=Role.ADMIN)
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    tx = governance.cancel(pid, sender=customs_admin_2)
    (event,) = tx.decode_logs(consortium.Cancelled)
    assert (event.proposal_id, event.canceller) == (pid, customs_admin_2.address)
    assert governance.status(pid) == ProposalStatus.CANCELLED
    assert governance.proposed(pid).proposer == customs_admin.address


def test_cancel__expired_open_proposal__closes(
    consortium, governance, customs_admin, newcomer, chain
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    chain.pending_timestamp = consortium.proposals(pid).expires_at + 1
    governance.cancel(pid, sender=customs_admin)
    assert governance.status(pid) == ProposalStatus.CANCELLED


def test_proposals__unpacks_every_field(consortium, governance, customs_admin, newcomer, chain):
    args = encode_args("add_account", org_id=1, account=newcomer)
    tx = consortium.propose(
        Action.ADD_ACCOUNT, args, reason_hash("new clerk"), sender=customs_admin
    )
    (proposed,) = tx.decode_logs(consortium.Proposed)
    stored = consortium.proposals(proposed.proposal_id)
    assert stored.action == Action.ADD_ACCOUNT
    assert stored.status == ProposalStatus.OPEN
    assert stored.proposer_org == 1
    assert stored.created_at == chain.blocks[-1].timestamp
    assert stored.expires_at == stored.created_at + WEEK == proposed.expires_at
    assert stored.policy == proposed.policy == consortium.policy_of(Action.ADD_ACCOUNT)
    assert (stored.approved, stored.rejected) == (1, 0)
    assert stored.commitment == commitment(args, reason_hash("new clerk"))
    unknown = consortium.proposals(proposed.proposal_id + 1)
    assert (unknown.action, unknown.status, unknown.proposer_org, unknown.commitment) == (
        0,
        0,
        0,
        b"\0" * 32,
    )


def test_execute__arguments_other_than_proposed__reverts(
    consortium, governance, customs_admin, tax_admin, newcomer, outsider
):
    args = encode_args("add_account", org_id=1, account=newcomer)
    why = reason_hash("new clerk")
    pid = consortium.propose(Action.ADD_ACCOUNT, args, why, sender=customs_admin).return_value
    governance.approve(pid, sender=tax_admin)
    swapped = encode_args("add_account", org_id=1, account=outsider)
    with ape.reverts("consortium: args mismatch"):
        consortium.execute(pid, swapped, why, sender=customs_admin)
    with ape.reverts("consortium: args mismatch"):
        consortium.execute(pid, args, reason_hash("another reason"), sender=customs_admin)
    consortium.execute(pid, args, why, sender=customs_admin)
    assert consortium.org_of(newcomer) == 1 and consortium.org_of(outsider) == 0


def test_tally__needed_is_threshold_for_a_new_proposal__zero_for_unknown(
    consortium, governance, customs_admin, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    assert consortium.tally(pid).needed == consortium.threshold() == 2
    assert consortium.tally(pid + 1).needed == 0
    assert not consortium.tally(pid + 1).passes


def test_approval_from_suspended_org__stops_counting(
    consortium, governance, approvers, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=3, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    assert consortium.tally(pid).approvals == 2
    # Suspend tax (org 2) with customs + maritime.
    governance.enact("suspend_org", approvers=[customs_admin, maritime_admin], org_id=2)
    assert consortium.tally(pid).approvals == 1
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=customs_admin)
    governance.approve(pid, sender=maritime_admin)
    governance.execute(pid, sender=customs_admin)
    assert consortium.org_of(newcomer) == 3


def test_approval__is_the_organisations__counts_after_its_approver_lost_admin(
    consortium, governance, approvers, customs_admin, customs_admin_2, maritime_admin, newcomer
):
    governance.enact("add_account", approvers=approvers, org_id=1, account=customs_admin_2)
    governance.enact("grant_role", approvers=approvers, account=customs_admin_2, roles=Role.ADMIN)
    pid = governance.propose("add_account", sender=maritime_admin, org_id=3, account=newcomer)
    governance.approve(pid, sender=customs_admin_2)
    governance.enact("revoke_role", approvers=approvers, account=customs_admin_2, roles=Role.ADMIN)
    # Customs is still an admin organisation (customs_admin): its approval stands.
    assert consortium.tally(pid).approvals == 2
    with ape.reverts("consortium: org already voted"):
        governance.approve(pid, sender=customs_admin)
    governance.execute(pid, sender=maritime_admin)
    assert consortium.org_of(newcomer) == 3


def test_approval__org_that_lost_its_last_admin__stops_counting(
    consortium, governance, approvers, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = governance.propose("add_account", sender=maritime_admin, org_id=3, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    governance.enact("revoke_role", approvers=approvers, account=tax_admin, roles=Role.ADMIN)
    assert consortium.tally(pid).approvals == 1
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=maritime_admin)
    governance.approve(pid, sender=customs_admin)
    governance.execute(pid, sender=maritime_admin)
