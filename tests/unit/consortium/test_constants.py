"""The on-chain constants of the Consortium equal their mirrors in Python and Solidity.

``trustspace/consortium/constants.py`` (Role, OrgKind, OrgStatus, ProposalStatus, Action) and the
``ROLE_*`` constants of ``interfaces/IConsortium.sol`` are the other two places the
values live; this test reads them back from a deployed Consortium: the role flags through
their public getters, the others through the behaviour that implies them.
"""

from __future__ import annotations

import re

import ape
import pytest

from trustspace.consortium.constants import (
    ALL_ROLES,
    Action,
    OrgKind,
    OrgStatus,
    ProposalStatus,
    Role,
)
from trustspace.consortium.governance import Policy, encode_args, reason_hash
from trustspace.paths import project_root

ZERO = "0x" + "00" * 20


def solidity_role_constants() -> dict[str, int]:
    text = (project_root() / "interfaces" / "IConsortium.sol").read_text()
    found = re.findall(r"^uint256 constant ROLE_(\w+) = (\d+);", text, re.M)
    assert found, "no ROLE_* constants found in interfaces/IConsortium.sol"
    return {name: int(value) for name, value in found}


def test_role_getters__equal_python_role_flags(consortium):
    for role in Role:
        assert role.name is not None
        assert getattr(consortium, role.name)() == role.value, role.name


def test_role_getters__are_exactly_the_python_roles(consortium):
    getters = {
        abi.name
        for abi in consortium.contract_type.view_methods
        if abi.name.isupper() and not abi.inputs
    }
    assert getters == {role.name for role in Role}


def test_solidity_role_constants__equal_python_and_chain(consortium):
    constants = solidity_role_constants()
    assert constants == {role.name: role.value for role in Role}
    for name, value in constants.items():
        assert getattr(consortium, name)() == value


def test_all_roles__are_the_flags_the_contract_accepts(consortium, customs_admin):
    assert int(ALL_ROLES) == sum(role.value for role in Role)
    for role in Role:
        consortium.holders_of(role)  # every single flag is known
    with ape.reverts("consortium: unknown role"):
        consortium.holders_of(int(ALL_ROLES) + 1)
    assert not consortium.has_role(customs_admin, int(ALL_ROLES) + 1)


@pytest.mark.parametrize("kind", list(OrgKind))
def test_org_kinds__every_python_kind_accepted(consortium, governance, approvers, kind):
    pid = governance.enact("add_org", approvers=approvers, name=kind.name, kind=kind)
    assert pid
    assert consortium.organisation(consortium.org_count()).kind == kind


@pytest.mark.parametrize("kind", [min(OrgKind) - 1, max(OrgKind) + 1])
def test_org_kinds__outside_python_range_refused(consortium, governance, customs_admin, kind):
    with ape.reverts("consortium: unknown kind"):
        governance.propose("add_org", sender=customs_admin, name="X", kind=kind)


def test_org_statuses__read_back_as_python_values(consortium, governance, approvers):
    assert consortium.org_status(99) == OrgStatus.NONE
    assert consortium.organisation(3).status == OrgStatus.ACTIVE
    governance.enact("suspend_org", approvers=approvers, org_id=3)
    assert consortium.organisation(3).status == OrgStatus.SUSPENDED
    governance.enact("remove_org", approvers=approvers, org_id=3)
    assert consortium.organisation(3).status == OrgStatus.REMOVED
    assert set(OrgStatus) == {
        OrgStatus.NONE,
        OrgStatus.ACTIVE,
        OrgStatus.SUSPENDED,
        OrgStatus.REMOVED,
    }


def test_proposal_statuses__read_back_as_python_values(
    consortium, governance, customs_admin, tax_admin, newcomer, outsider
):
    assert consortium.proposals(1).status == ProposalStatus.NONE
    done = governance.propose("add_account", sender=customs_admin, org_id=1, account=newcomer)
    assert consortium.proposals(done).status == ProposalStatus.OPEN
    governance.approve(done, sender=tax_admin)
    governance.execute(done, sender=tax_admin)
    assert consortium.proposals(done).status == ProposalStatus.EXECUTED
    dropped = governance.propose("add_account", sender=customs_admin, org_id=1, account=outsider)
    governance.cancel(dropped, sender=customs_admin)
    assert consortium.proposals(dropped).status == ProposalStatus.CANCELLED
    assert len(ProposalStatus) == 4


def valid_args(action: Action, *, consortium, outsider, customs_admin, target) -> bytes:
    """Arguments the default Consortium accepts at proposal time for each action."""
    node: dict[str, object] = {
        "enode_high": b"\x01" * 32,
        "enode_low": b"\x02" * 32,
        "ip": b"\x03" * 16,
        "port": 1,
    }
    table: dict[Action, dict[str, object]] = {
        Action.ADD_ORG: {"name": "Ministry", "kind": OrgKind.MINISTRY},
        Action.SUSPEND_ORG: {"org_id": 3},
        Action.REINSTATE_ORG: {"org_id": 3},  # suspended first by the test
        Action.REMOVE_ORG: {"org_id": 3},
        Action.ADD_ACCOUNT: {"org_id": 1, "account": outsider},
        Action.REMOVE_ACCOUNT: {"account": customs_admin},
        Action.GRANT_ROLE: {"account": customs_admin, "roles": Role.NOTARY},
        Action.REVOKE_ROLE: {"account": customs_admin, "roles": Role.ADMIN},
        Action.SET_THRESHOLD: {"threshold": 1},
        Action.SET_DID: {"org_id": 1, "did": outsider},
        Action.ADD_NODE: node,
        Action.REMOVE_NODE: node,  # added first by the test
        Action.SET_PROTECTED: {"target": target, "protected": True},
        Action.CALL: {"target": target, "data": b""},
        Action.SET_POLICY: {"policy_action": Action.ADD_ORG, "policy": Policy.k_of_n(2)},
        Action.SET_WEIGHT: {"org_id": 2, "weight": 3},
    }
    if action not in table:
        return b""  # made by the test itself (BIND needs a HubLink of this Consortium)
    return encode_args(action, **table[action])


# The event each action emits when executed: proves the number means that action on chain.
ACTION_EVENTS = {
    Action.ADD_ORG: "OrganisationAdded",
    Action.SUSPEND_ORG: "OrganisationStatusChanged",
    Action.REINSTATE_ORG: "OrganisationStatusChanged",
    Action.REMOVE_ORG: "OrganisationStatusChanged",
    Action.ADD_ACCOUNT: "AccountAdded",
    Action.REMOVE_ACCOUNT: "AccountRemoved",
    Action.GRANT_ROLE: "RoleGranted",
    Action.REVOKE_ROLE: "RoleRevoked",
    Action.SET_THRESHOLD: "ThresholdChanged",
    Action.SET_DID: "DidChanged",
    Action.BIND: "Bound",
    Action.ADD_NODE: "NodeChanged",
    Action.REMOVE_NODE: "NodeChanged",
    Action.SET_PROTECTED: "ProtectionChanged",
    Action.CALL: "CallExecuted",
    Action.SET_POLICY: "PolicyChanged",
    Action.SET_WEIGHT: "WeightChanged",
}


@pytest.mark.parametrize("action", list(Action))
def test_actions__every_python_action_means_that_action_on_chain(
    project,
    deployer,
    consortium,
    governance,
    approvers,
    customs_admin,
    customs_admin_2,
    tax_admin,
    outsider,
    action,
):
    target = deployer.deploy(project.GovernedTarget, consortium)
    if action == Action.REINSTATE_ORG:
        governance.enact("suspend_org", approvers=approvers, org_id=3)
    if action == Action.REMOVE_NODE:
        node = {"enode_high": b"\x01" * 32, "enode_low": b"\x02" * 32, "ip": b"\x03" * 16}
        governance.enact("add_node", approvers=approvers, port=1, **node)
    if action in (Action.REMOVE_ACCOUNT, Action.REVOKE_ROLE):
        # customs keeps an admin, so the threshold stays reachable
        governance.enact("add_account", approvers=approvers, org_id=1, account=customs_admin_2)
        governance.enact("grant_role", approvers=approvers, account=customs_admin_2, roles=1)
    args = valid_args(
        action,
        consortium=consortium,
        outsider=outsider,
        customs_admin=customs_admin,
        target=target,
    )
    if action == Action.CALL:
        args = encode_args(action, target=target, data=target.set_value.encode_input(7))
    if action == Action.BIND:
        # A HubLink of this Consortium (as a hub: no peer); any contract stands in for the bus.
        link = deployer.deploy(project.HubLink, consortium, target, 0, "0x" + "00" * 20)
        args = encode_args(action, target=link)
    proposer = tax_admin
    tx = consortium.propose(int(action), args, reason_hash(action.name), sender=proposer)
    (proposed,) = tx.decode_logs(consortium.Proposed)
    assert proposed.action == action
    governance.approve(
        proposed.proposal_id,
        sender=customs_admin_2
        if action
        in (
            Action.REMOVE_ACCOUNT,
            Action.REVOKE_ROLE,
        )
        else customs_admin,
    )
    executed = consortium.execute(
        proposed.proposal_id, args, reason_hash(action.name), sender=proposer
    )
    (event,) = executed.decode_logs(getattr(consortium, ACTION_EVENTS[action]))
    assert event.proposal_id == proposed.proposal_id
    assert event.reason == reason_hash(action.name)


@pytest.mark.parametrize("action", [min(Action) - 1, max(Action) + 1, 255])
def test_actions__outside_python_range_refused(consortium, customs_admin, action):
    with ape.reverts("consortium: unknown action"):
        consortium.propose(action, b"", b"\0" * 32, sender=customs_admin)
