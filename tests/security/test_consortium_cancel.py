"""Cancel needs a live ADMIN of the proposing organisation (issue 11, finding 4).

Before the fix ``cancel`` compared only ``proposer == msg.sender``: a proposer whose key
was removed, whose organisation was suspended, or whose ADMIN was revoked could still
withdraw a proposal that live organisations had approved — a key the consortium had
already disowned kept a veto over governance. Each attack below is that disowned proposer
trying to cancel an executable proposal; it must be refused with ``consortium: not admin``
and the proposal must stay executable. The organisation itself keeps the power to withdraw
what was proposed in its name: any of its live admins may cancel (docs/governance.md).
"""

from __future__ import annotations

import ape
import pytest

from trustspace.consortium.constants import ProposalStatus, Role

CUSTOMS, TAX, MARITIME = 1, 2, 3


@pytest.fixture
def second_customs_admin(governance, approvers, customs_admin_2):
    """A second ADMIN key of customs, so customs stays an admin organisation without it."""
    governance.enact("add_account", approvers=approvers, org_id=CUSTOMS, account=customs_admin_2)
    governance.enact("grant_role", approvers=approvers, account=customs_admin_2, roles=Role.ADMIN)
    return customs_admin_2


def approved_by_live_orgs(governance, proposer, approvers, account):
    """A proposal by ``proposer`` that ``approvers`` (other organisations) approved."""
    pid = governance.propose("add_account", sender=proposer, org_id=TAX, account=account)
    for admin in approvers:
        governance.approve(pid, sender=admin)
    return pid


def assert_still_executable(consortium, governance, pid, executor, account):
    assert governance.status(pid) == ProposalStatus.OPEN
    assert consortium.is_executable(pid)
    governance.execute(pid, sender=executor)
    assert consortium.org_of(account) == TAX


def test_cancel__by_proposer_whose_account_was_removed__reverts(
    consortium,
    governance,
    customs_admin,
    second_customs_admin,
    tax_admin,
    maritime_admin,
    newcomer,
):
    pid = approved_by_live_orgs(
        governance, second_customs_admin, [tax_admin, maritime_admin], newcomer
    )
    governance.enact(
        "remove_account", approvers=[customs_admin, tax_admin], account=second_customs_admin
    )
    assert consortium.org_of(second_customs_admin) == 0
    with ape.reverts("consortium: not admin"):
        governance.cancel(pid, sender=second_customs_admin)
    assert_still_executable(consortium, governance, pid, tax_admin, newcomer)


def test_cancel__by_proposer_whose_organisation_was_suspended__reverts(
    consortium, governance, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = approved_by_live_orgs(governance, maritime_admin, [customs_admin, tax_admin], newcomer)
    governance.enact("suspend_org", approvers=[customs_admin, tax_admin], org_id=MARITIME)
    with ape.reverts("consortium: not admin"):
        governance.cancel(pid, sender=maritime_admin)
    assert_still_executable(consortium, governance, pid, customs_admin, newcomer)


def test_cancel__by_proposer_whose_organisation_was_removed__reverts(
    consortium, governance, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = approved_by_live_orgs(governance, maritime_admin, [customs_admin, tax_admin], newcomer)
    governance.enact("remove_org", approvers=[customs_admin, tax_admin], org_id=MARITIME)
    with ape.reverts("consortium: not admin"):
        governance.cancel(pid, sender=maritime_admin)
    assert_still_executable(consortium, governance, pid, customs_admin, newcomer)


def test_cancel__by_proposer_whose_admin_role_was_revoked__reverts(
    consortium,
    governance,
    customs_admin,
    second_customs_admin,
    tax_admin,
    maritime_admin,
    newcomer,
):
    pid = approved_by_live_orgs(
        governance, second_customs_admin, [tax_admin, maritime_admin], newcomer
    )
    governance.enact(
        "revoke_role",
        approvers=[customs_admin, tax_admin],
        account=second_customs_admin,
        roles=Role.ADMIN,
    )
    assert consortium.org_of(second_customs_admin) == CUSTOMS  # still a member, not an admin
    with ape.reverts("consortium: not admin"):
        governance.cancel(pid, sender=second_customs_admin)
    assert_still_executable(consortium, governance, pid, maritime_admin, newcomer)


def test_cancel__by_proposer_moved_to_another_organisation__reverts(
    consortium,
    governance,
    customs_admin,
    second_customs_admin,
    tax_admin,
    maritime_admin,
    newcomer,
):
    pid = approved_by_live_orgs(
        governance, second_customs_admin, [tax_admin, maritime_admin], newcomer
    )
    approvers = [customs_admin, tax_admin]
    governance.enact("remove_account", approvers=approvers, account=second_customs_admin)
    governance.enact(
        "add_account", approvers=approvers, org_id=MARITIME, account=second_customs_admin
    )
    governance.enact(
        "grant_role", approvers=approvers, account=second_customs_admin, roles=Role.ADMIN
    )
    assert consortium.org_with_role(second_customs_admin, Role.ADMIN) == MARITIME
    with ape.reverts("consortium: not proposing org"):
        governance.cancel(pid, sender=second_customs_admin)
    assert_still_executable(consortium, governance, pid, tax_admin, newcomer)


def test_cancel__by_live_proposer__closes(
    consortium, governance, customs_admin, tax_admin, maritime_admin, newcomer
):
    pid = approved_by_live_orgs(governance, customs_admin, [tax_admin, maritime_admin], newcomer)
    tx = governance.cancel(pid, sender=customs_admin)
    (event,) = tx.decode_logs(consortium.Cancelled)
    assert (event.proposal_id, event.canceller) == (pid, customs_admin.address)
    assert governance.status(pid) == ProposalStatus.CANCELLED
    assert not consortium.is_executable(pid)
    with ape.reverts("consortium: proposal not open"):
        governance.execute(pid, sender=tax_admin)


def test_cancel__by_another_live_admin_after_proposer_lost_admin__closes(
    consortium,
    governance,
    customs_admin,
    second_customs_admin,
    tax_admin,
    maritime_admin,
    newcomer,
):
    # A compromised proposer key is revoked; its organisation still withdraws the proposal
    # made in its name, which other organisations could otherwise still execute.
    pid = approved_by_live_orgs(
        governance, second_customs_admin, [tax_admin, maritime_admin], newcomer
    )
    governance.enact(
        "revoke_role",
        approvers=[customs_admin, tax_admin],
        account=second_customs_admin,
        roles=Role.ADMIN,
    )
    assert consortium.is_executable(pid)
    tx = governance.cancel(pid, sender=customs_admin)
    (event,) = tx.decode_logs(consortium.Cancelled)
    assert (event.proposal_id, event.canceller) == (pid, customs_admin.address)
    assert governance.status(pid) == ProposalStatus.CANCELLED
    with ape.reverts("consortium: proposal not open"):
        governance.execute(pid, sender=tax_admin)
    assert consortium.org_of(newcomer) == 0
