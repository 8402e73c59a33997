"""Organisation actions: add, suspend, reinstate, remove, set DID."""

import ape

from trustspace.consortium.constants import Action, OrgKind, OrgStatus, Role
from trustspace.consortium.governance import encode_args, reason_hash

ZERO = "0x0000000000000000000000000000000000000000"


def test_add_org__registers_with_event(consortium, governance, approvers, forex_admin):
    pid = governance.propose(
        "add_org",
        sender=approvers[0],
        reason="forex joins",
        name="Central Bank FX",
        kind=OrgKind.FOREX,
        did=forex_admin,
    )
    governance.approve(pid, sender=approvers[1])
    tx = governance.execute(pid, sender=approvers[0])
    (event,) = tx.decode_logs(consortium.OrganisationAdded)
    assert (event.org_id, event.name, event.kind, event.did, event.proposal_id, event.reason) == (
        4,
        "Central Bank FX",
        OrgKind.FOREX,
        forex_admin.address,
        pid,
        reason_hash("forex joins"),
    )
    assert consortium.organisation(4).status == OrgStatus.ACTIVE
    assert consortium.org_by_did(forex_admin) == 4
    assert consortium.organisations() == [1, 2, 3, 4]
    # A new organisation without admins does not count towards the threshold.
    assert consortium.live_admin_orgs() == 3


def test_add_org__unknown_kind__reverts(consortium, approvers):
    args = encode_args("add_org", name="X", kind=0)
    with ape.reverts("consortium: unknown kind"):
        consortium.propose(Action.ADD_ORG, args, b"\0" * 32, sender=approvers[0])
    with ape.reverts("consortium: empty name"):
        consortium.propose(
            Action.ADD_ORG, encode_args("add_org", name="", kind=1), b"\0" * 32, sender=approvers[0]
        )


def test_add_org__did_taken__reverts(consortium, governance, approvers, forex_admin):
    governance.enact("set_did", approvers=approvers, org_id=1, did=forex_admin)
    with ape.reverts("consortium: did in use"):
        governance.propose(
            "add_org", sender=approvers[0], name="FX", kind=OrgKind.FOREX, did=forex_admin
        )


def test_suspend_org__drops_roles_and_admin_count(
    consortium, governance, approvers, maritime_admin
):
    tx_pid = governance.propose("suspend_org", sender=approvers[0], reason="audit", org_id=3)
    governance.approve(tx_pid, sender=approvers[1])
    tx = governance.execute(tx_pid, sender=approvers[0])
    (event,) = tx.decode_logs(consortium.OrganisationStatusChanged)
    assert (event.org_id, event.status, event.proposal_id, event.reason) == (
        3,
        OrgStatus.SUSPENDED,
        tx_pid,
        reason_hash("audit"),
    )
    assert not consortium.has_role(maritime_admin, Role.ADMIN)
    assert not consortium.is_org_live(3)
    assert consortium.live_admin_orgs() == 2
    assert maritime_admin.address not in consortium.holders_of(Role.ADMIN)
    with ape.reverts("consortium: not admin"):
        governance.propose("set_threshold", sender=maritime_admin, threshold=1)


def test_suspend_org__already_suspended__reverts(consortium, governance, approvers):
    governance.enact("suspend_org", approvers=approvers, org_id=3)
    with ape.reverts("consortium: organisation not active"):
        governance.propose("suspend_org", sender=approvers[0], org_id=3)


def test_suspend_org__below_threshold__reverts(consortium, governance, approvers):
    governance.enact("set_threshold", approvers=approvers, threshold=3)
    everyone = approvers + [governance.consortium.accounts_of(3)[0]]
    pid = governance.propose("suspend_org", sender=everyone[0], org_id=3)
    for admin in everyone[1:]:
        governance.approve(pid, sender=admin)
    with ape.reverts("consortium: threshold above admin orgs"):
        governance.execute(pid, sender=everyone[0])
    assert consortium.is_org_live(3)


def test_reinstate_org__restores_roles(consortium, governance, approvers, maritime_admin):
    governance.enact("suspend_org", approvers=approvers, org_id=3)
    governance.enact("reinstate_org", approvers=approvers, org_id=3)
    assert consortium.has_role(maritime_admin, Role.ADMIN)
    assert consortium.live_admin_orgs() == 3


def test_reinstate_org__active_org__reverts(consortium, governance, approvers):
    with ape.reverts("consortium: organisation not suspended"):
        governance.propose("reinstate_org", sender=approvers[0], org_id=3)


def test_remove_org__is_final(consortium, governance, approvers, maritime_admin):
    governance.enact("remove_org", approvers=approvers, org_id=3)
    assert consortium.organisation(3).status == OrgStatus.REMOVED
    assert not consortium.has_role(maritime_admin, Role.ADMIN)
    with ape.reverts("consortium: organisation not suspended"):
        governance.propose("reinstate_org", sender=approvers[0], org_id=3)
    with ape.reverts("consortium: organisation removed"):
        governance.propose("remove_org", sender=approvers[0], org_id=3)
    with ape.reverts("consortium: organisation not active"):
        governance.propose(
            "add_account", sender=approvers[0], org_id=3, account=approvers[0].address[:-1] + "0"
        )


def test_remove_org__unknown__reverts(consortium, approvers, governance):
    with ape.reverts("consortium: unknown organisation"):
        governance.propose("remove_org", sender=approvers[0], org_id=99)


def test_set_did__moves_reverse_lookup(
    consortium, governance, approvers, forex_admin, ministry_admin
):
    governance.enact("set_did", approvers=approvers, org_id=2, did=forex_admin)
    pid = governance.propose("set_did", sender=approvers[0], org_id=2, did=ministry_admin)
    governance.approve(pid, sender=approvers[1])
    tx = governance.execute(pid, sender=approvers[0])
    (event,) = tx.decode_logs(consortium.DidChanged)
    assert (event.org_id, event.did, event.proposal_id) == (2, ministry_admin.address, pid)
    assert consortium.org_by_did(forex_admin) == 0
    assert consortium.org_by_did(ministry_admin) == 2
    assert consortium.organisation(2).did == ministry_admin.address


def test_set_did__used_by_other_org__reverts(consortium, governance, approvers, forex_admin):
    governance.enact("set_did", approvers=approvers, org_id=2, did=forex_admin)
    with ape.reverts("consortium: did in use"):
        governance.propose("set_did", sender=approvers[0], org_id=1, did=forex_admin)


def test_set_did__clear(consortium, governance, approvers, forex_admin):
    governance.enact("set_did", approvers=approvers, org_id=2, did=forex_admin)
    governance.enact("set_did", approvers=approvers, org_id=2, did=ZERO)
    assert consortium.org_by_did(forex_admin) == 0
    assert consortium.organisation(2).did == ZERO
