"""The governance helper encodes exactly what the contract decodes, and names its errors."""

import pytest
from eth_abi import decode

from trustspace.consortium.constants import Action, Role
from trustspace.consortium.governance import (
    ACTION_ARGS,
    ApeConsortium,
    Governance,
    GovernanceError,
    Web3Consortium,
    encode_args,
    parse_action,
    reason_hash,
)

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_every_action_has_an_argument_layout():
    assert set(ACTION_ARGS) == set(Action)


@pytest.mark.parametrize(
    "name, expected",
    [("grant_role", Action.GRANT_ROLE), ("GRANT-ROLE", Action.GRANT_ROLE), (7, Action.GRANT_ROLE)],
)
def test_parse_action__accepts_names_and_numbers(name, expected):
    assert parse_action(name) == expected


def test_parse_action__unknown__lists_known_names():
    with pytest.raises(GovernanceError, match=r"unknown action 'grant'.*grant_role"):
        parse_action("grant")
    with pytest.raises(GovernanceError, match="unknown action number 99"):
        parse_action(99)


def test_encode_args__round_trips_through_abi():
    data = encode_args("grant_role", account=ADDRESS, roles=Role.NOTARY | Role.AUDITOR, expiry=5)
    assert decode(["address", "uint256", "uint256"], data) == (ADDRESS.lower(), 34, 5)


def test_encode_args__defaults_optional_values():
    data = encode_args("add_org", name="Customs", kind=1)
    assert decode(["string", "uint8", "address"], data) == (
        "Customs",
        1,
        "0x0000000000000000000000000000000000000000",
    )


def test_encode_args__missing_or_unknown_names__are_errors():
    with pytest.raises(GovernanceError, match="grant_role needs account"):
        encode_args("grant_role", roles=1)
    with pytest.raises(GovernanceError, match=r"not \['role'\]"):
        encode_args("grant_role", account=ADDRESS, role=1)


def test_encode_args__bad_values__name_the_argument():
    with pytest.raises(GovernanceError, match="account: not an address"):
        encode_args("remove_account", account="customs")
    with pytest.raises(GovernanceError, match="threshold: expected an integer"):
        encode_args("set_threshold", threshold="2")
    with pytest.raises(GovernanceError, match="ip: 17 bytes do not fit bytes16"):
        encode_args("add_node", enode_high=b"", enode_low=b"", ip=b"\x01" * 17, port=1)


def test_reason_hash__text_raw_and_empty():
    assert reason_hash("") == b"\x00" * 32
    assert reason_hash(b"\x01" * 32) == b"\x01" * 32
    assert len(reason_hash("audit finding 12")) == 32
    with pytest.raises(GovernanceError, match="32 bytes"):
        reason_hash(b"\x01")


def test_decide__returns_the_proposal_id_and_every_receipt_in_order(
    consortium, governance, customs_admin, tax_admin, newcomer
):
    decision = governance.decide(
        "add_account", approvers=[customs_admin, tax_admin], reason="clerk", org_id=1,
        account=newcomer,
    )  # fmt: skip
    proposed, approved, executed = decision.receipts
    (event,) = proposed.decode_logs(consortium.Proposed)
    assert event.proposal_id == decision.proposal_id
    assert event.reason == reason_hash("clerk")
    assert approved.decode_logs(consortium.Approved)[0].proposal_id == decision.proposal_id
    assert executed is decision.executed
    assert executed.decode_logs(consortium.Executed)[0].proposal_id == decision.proposal_id
    assert consortium.org_of(newcomer) == 1


def test_decide__no_approver__is_an_error(governance):
    with pytest.raises(GovernanceError, match="needs at least one approving admin"):
        governance.decide("set_threshold", approvers=[], threshold=1)


def test_propose_call__encodes_the_target_call_as_a_call_action(
    project, consortium, governance, deployer, customs_admin
):
    from trustspace.deploy.deployer import deploy_contract
    from trustspace.deploy.stacks import ApeChain

    notary = deploy_contract(ApeChain(deployer, project=project), "Notary", consortium)
    pid = governance.propose_call(notary, "deprecateSchema", 3, sender=customs_admin)
    stored = consortium.proposals(pid)
    assert stored.action == Action.CALL
    data = notary.deprecateSchema.encode_input(3)
    assert bytes(governance.proposed(pid).args) == encode_args(
        "call", target=notary.address, data=data
    )


def test_governance__picks_the_port_of_the_contract_stack(consortium):
    from web3 import Web3

    from trustspace.artifacts import abi

    assert isinstance(Governance(consortium).port, ApeConsortium)
    w3_contract = Web3().eth.contract(address=consortium.address, abi=abi("Consortium"))
    web3_gov = Governance(w3_contract)
    assert isinstance(web3_gov.port, Web3Consortium)
    assert web3_gov.consortium is w3_contract
    # Both stacks encode a CALL proposal's payload identically.
    ape_call = Governance(consortium).port.calldata(consortium, "approve", 7)
    assert web3_gov.port.calldata(w3_contract, "approve", 7) == ape_call
