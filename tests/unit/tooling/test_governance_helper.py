"""The governance helper encodes exactly what the contract decodes, and names its errors."""

import pytest
from eth_abi import decode

from trustspace.consortium.constants import Action, Role
from trustspace.consortium.governance import (
    ACTION_ARGS,
    GovernanceError,
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
