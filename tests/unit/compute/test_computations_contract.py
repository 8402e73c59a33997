"""Computations.vy: the trail of a computation, and who the Consortium lets take part."""

from __future__ import annotations

import ape
import pytest

from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance, reason_hash
from trustspace.deploy.config import ZERO_ADDRESS

CUSTOMS, TAX, MARITIME = 1, 2, 3
KEY = b"\x11" * 32
D1, D2, D3, AGG, RESULT = (bytes([i]) * 32 for i in (0xA1, 0xA2, 0xA3, 0xAA, 0xEE))


@pytest.fixture(scope="module")
def compute_consortium(deploy_consortium):
    return deploy_consortium()


@pytest.fixture(scope="module")
def compute_gov(compute_consortium):
    return Governance(compute_consortium)


@pytest.fixture(scope="module")
def computations(
    project,
    deployer,
    compute_consortium,
    compute_gov,
    approvers,
    customs_notary,
    tax_notary,
    customs_admin,
    tax_admin,
    maritime_admin,
    outsider,
):
    # Every actor is asked for here, before ape's module snapshot, so that no session
    # fixture is first built inside a test (ape would have to rebase its snapshots).
    # customs_notary: a customs NOTARY (may record, may not open); tax_notary: a tax member
    # without any role.
    compute_gov.enact("add_account", approvers=approvers, org_id=CUSTOMS, account=customs_notary)
    compute_gov.enact(
        "grant_role", approvers=approvers, account=customs_notary, roles=int(Role.NOTARY), expiry=0
    )
    compute_gov.enact("add_account", approvers=approvers, org_id=TAX, account=tax_notary)
    return deployer.deploy(project.Computations, compute_consortium)


@pytest.fixture
def opened(computations, customs_admin):
    """Computation 1 among customs, tax and maritime, threshold 2, 2 contributions needed."""
    computations.open(
        [CUSTOMS, TAX, MARITIME], 2, KEY, "imports per sector", 2, sender=customs_admin
    )
    return 1


@pytest.fixture
def aggregated(computations, opened, customs_admin, tax_admin):
    computations.contribute(opened, D1, sender=customs_admin)
    computations.contribute(opened, D2, sender=tax_admin)
    computations.record_aggregate(opened, AGG, [CUSTOMS, TAX], sender=tax_admin)
    return opened


def test_open__admin_of_a_participant__records_and_logs_it(computations, customs_admin):
    tx = computations.open([CUSTOMS, TAX], 2, KEY, "imports per sector", 2, sender=customs_admin)

    [event] = tx.decode_logs(computations.Opened)
    assert event.computation_id == 1
    assert event.org_id == CUSTOMS
    assert event.account == customs_admin.address
    assert list(event.participants) == [CUSTOMS, TAX]
    assert event.threshold == 2
    assert bytes(event.key_digest) == KEY
    assert event.description == "imports per sector"
    record = computations.computations(1)
    assert (record.opener, record.threshold, record.stage) == (CUSTOMS, 2, 1)
    assert computations.computation_count() == 1


@pytest.mark.parametrize(
    ("participants", "threshold", "key", "least", "reason"),
    [
        ([CUSTOMS], 1, KEY, 1, "computations: too few participants"),
        ([CUSTOMS, TAX], 0, KEY, 2, "computations: bad threshold"),
        ([CUSTOMS, TAX], 3, KEY, 2, "computations: bad threshold"),
        ([CUSTOMS, TAX], 2, KEY, 1, "computations: bad min contributors"),
        ([CUSTOMS, TAX], 2, KEY, 3, "computations: bad min contributors"),
        ([CUSTOMS, TAX], 2, b"\x00" * 32, 2, "computations: empty digest"),
        ([CUSTOMS, TAX, CUSTOMS], 2, KEY, 2, "computations: duplicate participant"),
        ([CUSTOMS, 9], 2, KEY, 2, "computations: participant not active"),
    ],
)
def test_open__bad_parameters__revert(
    computations, customs_admin, participants, threshold, key, least, reason
):
    with ape.reverts(reason):
        computations.open(participants, threshold, key, "x", least, sender=customs_admin)


def test_open__notary_not_admin__reverts(computations, customs_notary):
    with ape.reverts("computations: not admin"):
        computations.open([CUSTOMS, TAX], 2, KEY, "x", 2, sender=customs_notary)


def test_open__outsider__reverts(computations, outsider):
    with ape.reverts("computations: not a member"):
        computations.open([CUSTOMS, TAX], 2, KEY, "x", 2, sender=outsider)


def test_open__suspended_participant__reverts(computations, compute_gov, approvers, customs_admin):
    compute_gov.enact("suspend_org", approvers=approvers, org_id=MARITIME)

    with ape.reverts("computations: participant not active"):
        computations.open([CUSTOMS, MARITIME], 2, KEY, "x", 2, sender=customs_admin)


def test_contribute__participant__records_digest_and_logs_it(computations, opened, customs_notary):
    tx = computations.contribute(opened, D1, sender=customs_notary)

    [event] = tx.decode_logs(computations.Contributed)
    assert (event.computation_id, event.org_id) == (opened, CUSTOMS)
    assert event.account == customs_notary.address
    assert bytes(event.digest) == D1
    assert bytes(computations.contribution_of(opened, CUSTOMS)) == D1
    assert computations.computations(opened).contributions == 1


def test_contribute__twice__reverts(computations, opened, customs_admin):
    computations.contribute(opened, D1, sender=customs_admin)

    with ape.reverts("computations: already contributed"):
        computations.contribute(opened, D2, sender=customs_admin)


def test_contribute__suspended_organisation__refused(
    computations, opened, compute_gov, approvers, maritime_admin
):
    compute_gov.enact("suspend_org", approvers=approvers, org_id=MARITIME)

    with ape.reverts("computations: organisation not active"):
        computations.contribute(opened, D3, sender=maritime_admin)
    compute_gov.enact("reinstate_org", approvers=approvers, org_id=MARITIME)
    computations.contribute(opened, D3, sender=maritime_admin)


@pytest.mark.parametrize(
    ("cid", "digest", "who", "reason"),
    [
        (7, D1, "customs_admin", "computations: unknown computation"),
        (1, b"\x00" * 32, "customs_admin", "computations: empty digest"),
        (1, D1, "tax_notary", "computations: no role"),
        (1, D1, "outsider", "computations: not a member"),
    ],
)
def test_contribute__bad_call__reverts(request, computations, opened, cid, digest, who, reason):
    with ape.reverts(reason):
        computations.contribute(cid, digest, sender=request.getfixturevalue(who))


def test_contribute__opener_outside_the_computation__reverts(
    computations, customs_admin, tax_admin, maritime_admin
):
    computations.open([TAX, MARITIME], 2, KEY, "x", 2, sender=customs_admin)

    with ape.reverts("computations: not a participant"):
        computations.contribute(1, D1, sender=customs_admin)


def test_open__opener_outside_the_computation__may_aggregate_and_publish(
    computations, customs_admin, tax_admin, maritime_admin
):
    computations.open([TAX, MARITIME], 2, KEY, "x", 2, sender=customs_admin)
    computations.contribute(1, D2, sender=tax_admin)
    computations.contribute(1, D3, sender=maritime_admin)
    computations.record_aggregate(1, AGG, [TAX, MARITIME], sender=customs_admin)
    computations.record_share(1, D2, sender=tax_admin)
    computations.record_share(1, D3, sender=maritime_admin)
    with ape.reverts("computations: not a participant"):
        computations.record_share(1, D1, sender=customs_admin)

    tx = computations.publish_result(1, RESULT, [5], [TAX, MARITIME], sender=customs_admin)

    assert tx.decode_logs(computations.Published)[0].org_id == CUSTOMS


def test_record_aggregate__all_contributors__closes_contributions(
    computations, opened, customs_admin, tax_admin, maritime_admin
):
    computations.contribute(opened, D1, sender=customs_admin)
    computations.contribute(opened, D2, sender=tax_admin)

    tx = computations.record_aggregate(opened, AGG, [CUSTOMS, TAX], sender=maritime_admin)

    [event] = tx.decode_logs(computations.Aggregated)
    assert (event.computation_id, event.org_id, event.account) == (
        opened,
        MARITIME,
        maritime_admin.address,
    )
    assert bytes(event.digest) == AGG
    assert list(event.contributors) == [CUSTOMS, TAX]
    assert computations.computations(opened).stage == 2
    with ape.reverts("computations: wrong stage"):
        computations.contribute(opened, D3, sender=maritime_admin)


@pytest.mark.parametrize(
    ("contributors", "reason"),
    [
        ([], "computations: no contributions"),
        ([CUSTOMS], "computations: contributors differ"),
        ([CUSTOMS, MARITIME], "computations: contributors differ"),
        ([TAX, CUSTOMS], "computations: not ascending"),
    ],
)
def test_record_aggregate__contributors_not_the_recorded_ones__reverts(
    computations, opened, customs_admin, tax_admin, contributors, reason
):
    computations.contribute(opened, D1, sender=customs_admin)
    computations.contribute(opened, D2, sender=tax_admin)

    with ape.reverts(reason):
        computations.record_aggregate(opened, AGG, contributors, sender=customs_admin)


def test_record_aggregate__fewer_than_min_contributors__refused(
    computations, customs_admin, tax_admin
):
    """With one contribution recorded, the 'aggregate' would be that agency's own figures."""
    computations.open([CUSTOMS, TAX], 2, KEY, "x", 2, sender=customs_admin)
    computations.contribute(1, D1, sender=customs_admin)

    with ape.reverts("computations: too few contributions"):
        computations.record_aggregate(1, AGG, [CUSTOMS], sender=tax_admin)
    computations.contribute(1, D2, sender=tax_admin)
    computations.record_aggregate(1, AGG, [CUSTOMS, TAX], sender=tax_admin)
    assert computations.computations(1).min_contributors == 2


def test_record_share__after_aggregate__records_once(computations, aggregated, maritime_admin):
    tx = computations.record_share(aggregated, D3, sender=maritime_admin)

    [event] = tx.decode_logs(computations.Shared)
    assert (event.computation_id, event.org_id, bytes(event.digest)) == (aggregated, MARITIME, D3)
    assert event.account == maritime_admin.address
    with ape.reverts("computations: already shared"):
        computations.record_share(aggregated, D3, sender=maritime_admin)


def test_record_share__before_aggregate__reverts(computations, opened, customs_admin):
    with ape.reverts("computations: wrong stage"):
        computations.record_share(opened, D1, sender=customs_admin)


def test_publish_result__k_recorded_shares__publishes_totals_with_them(
    computations, aggregated, customs_admin, maritime_admin
):
    computations.record_share(aggregated, D1, sender=customs_admin)
    computations.record_share(aggregated, D3, sender=maritime_admin)

    tx = computations.publish_result(
        aggregated, RESULT, [120, 0, 7], [CUSTOMS, MARITIME], sender=customs_admin
    )

    [event] = tx.decode_logs(computations.Published)
    assert (event.computation_id, event.org_id, event.account) == (
        aggregated,
        CUSTOMS,
        customs_admin.address,
    )
    assert bytes(event.digest) == RESULT
    assert list(event.totals) == [120, 0, 7]
    assert list(event.share_orgs) == [CUSTOMS, MARITIME]
    assert computations.computations(aggregated).stage == 3
    with ape.reverts("computations: wrong stage"):
        computations.publish_result(
            aggregated, RESULT, [1], [CUSTOMS, MARITIME], sender=customs_admin
        )


@pytest.mark.parametrize(
    ("share_orgs", "reason"),
    [
        ([CUSTOMS], "computations: too few shares"),
        ([CUSTOMS, TAX], "computations: share not recorded"),
        ([MARITIME, CUSTOMS], "computations: not ascending"),
    ],
)
def test_publish_result__shares_not_enough_or_not_recorded__reverts(
    computations, aggregated, customs_admin, maritime_admin, share_orgs, reason
):
    computations.record_share(aggregated, D1, sender=customs_admin)
    computations.record_share(aggregated, D3, sender=maritime_admin)

    with ape.reverts(reason):
        computations.publish_result(aggregated, RESULT, [1], share_orgs, sender=customs_admin)


def test_publish_result__by_a_non_opener_participant__refused(
    computations, aggregated, customs_admin, tax_admin, maritime_admin
):
    """Tax takes part but did not open: it cannot publish (false) totals as final."""
    computations.record_share(aggregated, D1, sender=customs_admin)
    computations.record_share(aggregated, D3, sender=maritime_admin)

    with ape.reverts("computations: not opener"):
        computations.publish_result(aggregated, RESULT, [1], [CUSTOMS, MARITIME], sender=tax_admin)
    computations.publish_result(aggregated, RESULT, [1], [CUSTOMS, MARITIME], sender=customs_admin)


def test_cancel__by_consortium_proposal__closes_the_computation(
    computations, opened, compute_gov, approvers, customs_admin
):
    decision = compute_gov.decide_call(
        computations, "cancel", opened, reason_hash("wrong schema"), approvers=approvers
    )

    [event] = decision.receipts[-1].decode_logs(computations.Cancelled)
    assert (event.computation_id, bytes(event.reason)) == (opened, reason_hash("wrong schema"))
    assert computations.computations(opened).stage == 4
    with ape.reverts("computations: wrong stage"):
        computations.contribute(opened, D1, sender=customs_admin)
    with ape.reverts("computations: closed"):
        compute_gov.decide_call(computations, "cancel", opened, b"\x00" * 32, approvers=approvers)


def test_cancel__by_an_admin_directly__reverts(computations, opened, customs_admin):
    with ape.reverts("computations: not consortium"):
        computations.cancel(opened, b"\x00" * 32, sender=customs_admin)


def test_deploy__no_consortium__reverts(project, deployer, computations):
    with ape.reverts("computations: no consortium"):
        deployer.deploy(project.Computations, ZERO_ADDRESS)
