"""ERC-7930 interoperable addresses (binary, version 1) for EIP-155 chains.

The MessageBus's ERC-7786 gateway names a recipient, and tells a recipient its sender, as an
ERC-7930 address: ``version (2 bytes, 0x0001) | chain type (2 bytes, 0x0000 for EIP-155) |
chain reference length (1) | chain reference | address length (1) | address``. The EIP-155
chain reference is the chain id in big-endian bytes without leading zeros (the CAIP-350
``eip155`` profile). :func:`encode_evm` spells an address as the contract does with
OpenZeppelin's ``InteroperableAddress.formatEvmV1``; :func:`decode_evm` accepts exactly what
``MessageBus.sendMessage`` accepts (the canonical form, nothing after the address).
"""

from __future__ import annotations

from eth_utils.address import to_checksum_address

from trustspace.errors import InputError

__all__ = ["EIP155", "INTEROP_VERSION", "InteropAddressError", "decode_evm", "encode_evm"]

#: ERC-7930 version of the binary format.
INTEROP_VERSION = 1
#: CAIP-350 chain type of EIP-155 chains.
EIP155 = 0x0000
#: Longest EIP-155 chain reference (a uint256 chain id).
_MAX_REFERENCE = 32


class InteropAddressError(InputError):
    """Bytes that are not a canonical ERC-7930 EIP-155 address."""


def encode_evm(chain_id: int, address: str) -> bytes:
    """The ERC-7930 bytes of ``address`` on EIP-155 chain ``chain_id`` (1 to 2**256 - 1)."""
    if not 0 < chain_id < 2**256:
        raise InteropAddressError(f"chain id {chain_id} is not between 1 and 2**256 - 1")
    raw = bytes.fromhex(to_checksum_address(address)[2:])
    reference = chain_id.to_bytes((chain_id.bit_length() + 7) // 8, "big")
    return (
        INTEROP_VERSION.to_bytes(2, "big")
        + EIP155.to_bytes(2, "big")
        + bytes([len(reference)])
        + reference
        + bytes([len(raw)])
        + raw
    )


def decode_evm(interop: bytes) -> tuple[int, str]:
    """``(chain id, checksummed address)`` of canonical ERC-7930 EIP-155 bytes.

    Raises InteropAddressError for another version or chain type, a missing or zero-padded
    chain reference, an address that is not 20 bytes, or bytes after the address.
    """
    if len(interop) < 6:
        raise InteropAddressError(f"{len(interop)} bytes are too few for an ERC-7930 address")
    version = int.from_bytes(interop[0:2], "big")
    if version != INTEROP_VERSION:
        raise InteropAddressError(f"ERC-7930 version {version} is not 1")
    chain_type = int.from_bytes(interop[2:4], "big")
    if chain_type != EIP155:
        raise InteropAddressError(f"chain type 0x{chain_type:04x} is not EIP-155 (0x0000)")
    ref_len = interop[4]
    if not 0 < ref_len <= _MAX_REFERENCE:
        raise InteropAddressError(f"chain reference of {ref_len} bytes (1 to 32 expected)")
    reference = interop[5 : 5 + ref_len]
    if len(interop) < 6 + ref_len:
        raise InteropAddressError("ERC-7930 address ends inside its chain reference")
    if reference[0] == 0:
        raise InteropAddressError("chain reference has a leading zero byte (not canonical)")
    addr_len = interop[5 + ref_len]
    if addr_len != 20:
        raise InteropAddressError(f"address of {addr_len} bytes (20 expected)")
    if len(interop) != 26 + ref_len:
        raise InteropAddressError(
            f"ERC-7930 address of {len(interop)} bytes, {26 + ref_len} expected"
        )
    return int.from_bytes(reference, "big"), to_checksum_address(interop[6 + ref_len :])
