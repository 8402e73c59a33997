"""Addresses as people type them: one case, or mixed case with a valid EIP-55 checksum."""

import pytest

from trustspace.cli.options import CommandError, address_argument
from trustspace.crypto.address import is_valid_address

CLERK = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"


@pytest.mark.parametrize("text", [CLERK, CLERK.lower(), "0x" + CLERK[2:].upper(), "0x" + "12" * 20])
def test_is_valid_address__one_case_or_valid_checksum__accepted(text):
    assert is_valid_address(text)


@pytest.mark.parametrize(
    "text",
    [
        CLERK[:-1] + "8",  # one digit mistyped in a copied checksummed address
        CLERK.replace("EA7", "eA7"),  # a letter's case changed
        CLERK[:-1],
        "976EA74026E726554dB657fA54763abd0C3a0aa9",
        None,
        12,
    ],
)
def test_is_valid_address__mistyped_or_malformed__refused(text):
    assert not is_valid_address(text)


def test_address_argument__mistyped_checksum__one_line_naming_eip55():
    with pytest.raises(CommandError, match="EIP-55 checksum"):
        address_argument(CLERK[:-1] + "8", "--notary")
