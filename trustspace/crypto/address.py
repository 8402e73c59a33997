"""Addresses as people type them: EIP-55 checked.

``eth_utils.is_address`` (as pinned) accepts a mixed-case address whose checksum is wrong,
which is exactly the typo EIP-55 exists to catch (one digit changed in a copied address).
"""

from __future__ import annotations

from eth_utils.address import is_checksum_address, is_hex_address

__all__ = ["is_valid_address"]


def is_valid_address(value: object) -> bool:
    """True for ``0x`` + 40 hex digits in one case, or in mixed case with a valid EIP-55
    checksum; False for anything else (a mistyped checksummed address included)."""
    if not isinstance(value, str) or not is_hex_address(value):
        return False
    letters = [c for c in value[2:] if c.isalpha()]
    if all(c.islower() for c in letters) or all(c.isupper() for c in letters):
        return True
    return bool(is_checksum_address(value))
