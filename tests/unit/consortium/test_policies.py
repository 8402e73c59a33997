"""Governance policies per action: K_OF_N, WEIGHTED, ALL_OF_KIND; the policy of policy
changes; the snapshot taken when a proposal opens; weights and rejections."""

import ape
import pytest

from trustspace.consortium.constants import Action, OrgKind, PolicyKind
from trustspace.consortium.governance import (
    Governance,
    GovernanceError,
    OrgSeed,
    Policy,
    encode_args,
    reason_hash,
)


def set_policy(governance, approvers, action, policy):
    return governance.decide(
        "set_policy", approvers=approvers, reason="policy", policy_action=action, policy=policy
    )


def test_policy_of__without_own_policy__is_k_of_n_with_threshold(consortium, governance):
    assert consortium.policies(Action.ADD_ORG) == 0
    assert governance.policy(Action.ADD_ORG) == Policy.k_of_n(2)
    assert governance.own_policy(Action.ADD_ORG) == Policy()


def test_set_policy__emits_and_applies_to_new_proposals(
    consortium, governance, approvers, maritime_admin, newcomer
):
    decision = set_policy(governance, approvers, Action.ADD_ACCOUNT, Policy.k_of_n(3))
    (event,) = decision.executed.decode_logs(consortium.PolicyChanged)
    assert (event.action, event.policy, event.proposal_id, event.reason) == (
        Action.ADD_ACCOUNT,
        Policy.k_of_n(3).encode(),
        decision.proposal_id,
        reason_hash("policy"),
    )
    assert governance.policy("add_account") == Policy.k_of_n(3)
    pid = governance.propose("add_account", sender=approvers[0], org_id=1, account=newcomer)
    governance.approve(pid, sender=approvers[1])
    assert not consortium.is_executable(pid)  # one below k
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=approvers[0])
    governance.approve(pid, sender=maritime_admin)
    assert consortium.is_executable(pid)  # exactly k
    governance.execute(pid, sender=approvers[0])
    assert consortium.org_of(newcomer) == 1


@pytest.mark.parametrize(
    ("word", "reason"),
    [
        (Policy.k_of_n(1).encode() & ~0xFF00, "consortium: bad policy"),  # k = 0
        (Policy.k_of_n(4).encode(), "consortium: policy cannot pass"),  # 3 admin orgs
        (Policy.weighted(1, 1).encode() & ~0xFF00, "consortium: bad policy"),  # 0 %
        (Policy.weighted(100, 100).encode() + (1 << 8), "consortium: bad policy"),  # 101 %
        (Policy.weighted(50, 50).encode() | 1 << 24, "consortium: bad policy"),  # high bits
        (4, "consortium: bad policy"),  # unknown kind
        (Policy.all_of_kind(OrgKind.OTHER).encode() + (1 << 8), "consortium: bad policy"),
        (Policy.all_of_kind(OrgKind.FOREX).encode(), "consortium: policy cannot pass"),
    ],
)
def test_set_policy__invalid_or_impossible__reverts(consortium, customs_admin, word, reason):
    args = encode_args("set_policy", policy_action=Action.CALL, policy=word)
    with ape.reverts(reason):
        consortium.propose(Action.SET_POLICY, args, b"\0" * 32, sender=customs_admin)


@pytest.mark.parametrize("action", [0, 18])
def test_set_policy__unknown_action__reverts(consortium, customs_admin, action):
    args = encode_args("set_policy", policy_action=Action.CALL, policy=0)
    args = action.to_bytes(32, "big") + args[32:]
    with ape.reverts("consortium: unknown action"):
        consortium.propose(Action.SET_POLICY, args, b"\0" * 32, sender=customs_admin)


def test_policy_of_policy_changes__governs_set_policy(
    consortium, governance, approvers, maritime_admin
):
    set_policy(governance, approvers, Action.SET_POLICY, Policy.k_of_n(3))
    pid = governance.propose(
        "set_policy", sender=approvers[0], policy_action=Action.CALL, policy=Policy.k_of_n(1)
    )
    governance.approve(pid, sender=approvers[1])
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=approvers[0])
    governance.approve(pid, sender=maritime_admin)
    governance.execute(pid, sender=approvers[0])
    assert governance.policy(Action.CALL) == Policy.k_of_n(1)


def test_snapshot__policy_change_after_opening__does_not_apply(
    consortium, governance, approvers, maritime_admin, newcomer, outsider
):
    older = governance.propose("add_account", sender=approvers[0], org_id=1, account=newcomer)
    set_policy(governance, approvers, Action.ADD_ACCOUNT, Policy.k_of_n(3))
    governance.approve(older, sender=approvers[1])
    assert consortium.tally(older).needed == 2
    governance.execute(older, sender=approvers[0])  # 2 of n: its own snapshot
    newer = governance.propose("add_account", sender=approvers[0], org_id=1, account=outsider)
    governance.approve(newer, sender=approvers[1])
    assert consortium.tally(newer).needed == 3
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(newer, sender=approvers[0])


def test_snapshot__loosening_after_opening__does_not_revive(
    consortium, governance, approvers, maritime_admin, newcomer
):
    set_policy(governance, approvers, Action.ADD_ACCOUNT, Policy.k_of_n(3))
    pid = governance.propose("add_account", sender=approvers[0], org_id=1, account=newcomer)
    governance.approve(pid, sender=approvers[1])
    set_policy(governance, approvers, Action.ADD_ACCOUNT, Policy.k_of_n(1))
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=approvers[0])


@pytest.fixture
def weighted(governance, approvers):
    """Customs weighs 3, tax and maritime 1 (total 5); ADD_ACCOUNT is weighted 60 % / 60 %."""
    governance.enact("set_weight", approvers=approvers, org_id=1, weight=3)
    set_policy(governance, approvers, Action.ADD_ACCOUNT, Policy.weighted(60, 60))
    return governance


def test_set_weight__emits_and_changes_live_weight(consortium, governance, approvers):
    assert consortium.weight_of(1) == 1 and consortium.live_admin_weight() == 3
    decision = governance.decide("set_weight", approvers=approvers, org_id=1, weight=3)
    (event,) = decision.executed.decode_logs(consortium.WeightChanged)
    assert (event.org_id, event.weight, event.proposal_id) == (1, 3, decision.proposal_id)
    assert consortium.weight_of(1) == 3 and consortium.live_admin_weight() == 5


@pytest.mark.parametrize("weight", [0, 2**32])
def test_set_weight__out_of_range__reverts(consortium, customs_admin, weight):
    args = encode_args("set_weight", org_id=1, weight=weight)
    with ape.reverts("consortium: bad weight"):
        consortium.propose(Action.SET_WEIGHT, args, b"\0" * 32, sender=customs_admin)


def test_weighted__participation_exactly_reached__passes(
    consortium, weighted, customs_admin, newcomer
):
    pid = weighted.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    tally = consortium.tally(pid)
    assert (tally.approving_weight, tally.eligible_weight) == (3, 5)  # 3 * 100 >= 60 * 5
    assert tally.passes
    weighted.execute(pid, sender=customs_admin)
    assert consortium.org_of(newcomer) == 1


def test_weighted__participation_one_below__fails(
    consortium, governance, approvers, customs_admin, newcomer
):
    governance.enact("set_weight", approvers=approvers, org_id=1, weight=3)
    set_policy(governance, approvers, Action.ADD_ACCOUNT, Policy.weighted(61, 60))
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    assert not consortium.tally(pid).passes  # 300 < 305
    with ape.reverts("consortium: not enough approvals"):
        governance.execute(pid, sender=customs_admin)
    assert governance.progress(pid).missing == 1


def test_weighted__rejections__weigh_in_the_approval_share(
    consortium, governance, approvers, customs_admin, tax_admin, maritime_admin, newcomer
):
    governance.enact("set_weight", approvers=approvers, org_id=1, weight=3)
    set_policy(governance, approvers, Action.ADD_ACCOUNT, Policy.weighted(60, 61))
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    tx = governance.reject(pid, sender=tax_admin)
    (event,) = tx.decode_logs(consortium.Rejected)
    assert (event.proposal_id, event.rejecter, event.org_id, event.rejections) == (
        pid,
        tax_admin.address,
        2,
        1,
    )
    governance.reject(pid, sender=maritime_admin)
    tally = consortium.tally(pid)
    assert (tally.approving_weight, tally.rejecting_weight, tally.rejections) == (3, 2, 2)
    assert not tally.passes  # 3 of 5 voted weight = 60 % < 61 %
    with ape.reverts("consortium: org already voted"):
        governance.reject(pid, sender=maritime_admin)
    governance.approve(pid, sender=maritime_admin)  # a vote may change
    assert consortium.tally(pid).passes  # 4 of 5 = 80 %
    governance.execute(pid, sender=customs_admin)


def test_weighted__suspended_org__weight_and_vote_leave(
    consortium, weighted, approvers, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = weighted.propose("add_account", sender=tax_admin, org_id=2, account=newcomer)
    weighted.approve(pid, sender=customs_admin)
    assert consortium.tally(pid).approving_weight == 4
    weighted.enact("suspend_org", approvers=[tax_admin, maritime_admin], org_id=1)
    tally = consortium.tally(pid)
    assert (tally.approving_weight, tally.eligible_weight, tally.passes) == (1, 2, False)
    with ape.reverts("consortium: not enough approvals"):
        weighted.execute(pid, sender=tax_admin)


def test_reject__under_k_of_n__withdraws_the_approval(
    consortium, governance, customs_admin, tax_admin, newcomer
):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    governance.approve(pid, sender=tax_admin)
    assert consortium.is_executable(pid)
    governance.reject(pid, sender=tax_admin)
    assert consortium.tally(pid).approvals == 1 and not consortium.is_executable(pid)


def test_reject__by_non_admin__reverts(governance, customs_admin, outsider, newcomer):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    with ape.reverts("consortium: not admin"):
        governance.reject(pid, sender=outsider)


@pytest.fixture
def two_customs(deploy_consortium, customs_admin, forex_admin, tax_admin, maritime_admin):
    """Customs A (1) and Customs B (2) of kind customs, Tax (3), Maritime (4); threshold 2;
    SUSPEND_ORG needs every customs organisation."""
    consortium = deploy_consortium(
        orgs=[
            OrgSeed("Customs A", OrgKind.CUSTOMS, [customs_admin]),
            OrgSeed("Customs B", OrgKind.CUSTOMS, [forex_admin]),
            OrgSeed("Tax", OrgKind.TAX, [tax_admin]),
            OrgSeed("Maritime", OrgKind.MARITIME, [maritime_admin]),
        ]
    )
    gov = Governance(consortium)
    policy = Policy.all_of_kind(OrgKind.CUSTOMS)
    set_policy(gov, [tax_admin, maritime_admin], Action.SUSPEND_ORG, policy)
    return gov


def test_all_of_kind__every_org_of_kind_approves__passes(
    two_customs, customs_admin, forex_admin, tax_admin, maritime_admin
):
    consortium = two_customs.consortium
    pid = two_customs.propose("suspend_org", sender=tax_admin, org_id=4)
    two_customs.approve(pid, sender=maritime_admin)
    two_customs.approve(pid, sender=customs_admin)
    tally = consortium.tally(pid)
    assert (tally.approvals, tally.needed, tally.passes) == (1, 2, False)
    with ape.reverts("consortium: not enough approvals"):
        two_customs.execute(pid, sender=tax_admin)
    two_customs.approve(pid, sender=forex_admin)
    two_customs.execute(pid, sender=tax_admin)
    assert not consortium.is_org_live(4)


def test_all_of_kind__org_of_kind_suspended__the_others_suffice(
    two_customs, customs_admin, forex_admin, tax_admin, maritime_admin
):
    consortium = two_customs.consortium
    two_customs.enact("suspend_org", approvers=[customs_admin, forex_admin], org_id=2)
    pid = two_customs.propose("suspend_org", sender=tax_admin, org_id=4)
    two_customs.approve(pid, sender=customs_admin)
    assert consortium.tally(pid).needed == 1
    two_customs.execute(pid, sender=tax_admin)
    assert not consortium.is_org_live(4)


def test_execute__leaving_a_policy_impossible__reverts(
    consortium, governance, approvers, maritime_admin
):
    set_policy(governance, approvers, Action.CALL, Policy.k_of_n(3))
    pid = governance.propose("suspend_org", sender=approvers[0], org_id=3)
    governance.approve(pid, sender=approvers[1])
    with ape.reverts("consortium: policy cannot pass"):
        governance.execute(pid, sender=approvers[0])
    set_policy(governance, approvers, Action.CALL, Policy())  # back to the default
    governance.execute(pid, sender=approvers[0])
    assert not consortium.is_org_live(3)


def test_policy_words__round_trip_and_refuse_bad_values():
    for policy in (
        Policy(),
        Policy.k_of_n(3),
        Policy.weighted(60, 51),
        Policy.all_of_kind(OrgKind.MINISTRY),
    ):
        assert Policy.decode(policy.encode()) == policy
    assert Policy.weighted(60, 51).encode() == 2 | 60 << 8 | 51 << 16
    assert Policy.decode(0).kind == PolicyKind.DEFAULT
    for bad in (Policy.k_of_n(0), Policy.weighted(0, 50), Policy.weighted(50, 101)):
        with pytest.raises(GovernanceError):
            bad.encode()
    with pytest.raises(GovernanceError):
        Policy.decode(9)


def test_progress__says_how_far_a_proposal_is(governance, customs_admin, tax_admin, newcomer):
    pid = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    progress = governance.progress(pid)
    assert (progress.approvals, progress.needed, progress.missing) == (1, 2, 1)
    assert progress.distance() == "1 of 2 organisations: needs 1 more"
    governance.approve(pid, sender=tax_admin)
    assert governance.progress(pid).distance() == "passes its policy"
