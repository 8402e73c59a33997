"""The Python signed-message digests equal abi.encodePacked of the reference, built
independently with web3's solidity_keccak (the contract tests show the registry agrees)."""

from __future__ import annotations

from web3 import Web3

from trustspace.did import registry as reg

REGISTRY = Web3.to_checksum_address("0xdca7ef03e98e0dc2b855be647c39abe984fcf21b")
IDENTITY = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
HEAD = ["bytes1", "bytes1", "address", "uint256", "address", "string"]


def packed(nonce: int, op: str, types: list[str], values: list[object]) -> bytes:
    return bytes(
        Web3.solidity_keccak(
            HEAD + types, [b"\x19", b"\x00", REGISTRY, nonce, IDENTITY, op, *values]
        )
    )


def test_change_owner_digest__matches_encode_packed():
    got = reg.change_owner_digest(REGISTRY, 7, IDENTITY, OTHER)
    assert got == packed(7, "changeOwner", ["address"], [OTHER])


def test_add_delegate_digest__matches_encode_packed():
    kind = reg.str_to_bytes32("veriKey")
    got = reg.add_delegate_digest(REGISTRY, 1, IDENTITY, kind, OTHER, 86400)
    assert got == packed(1, "addDelegate", ["bytes32", "address", "uint256"], [kind, OTHER, 86400])


def test_revoke_delegate_digest__matches_encode_packed():
    kind = reg.str_to_bytes32("sigAuth")
    got = reg.revoke_delegate_digest(REGISTRY, 2, IDENTITY, kind, OTHER)
    assert got == packed(2, "revokeDelegate", ["bytes32", "address"], [kind, OTHER])


def test_set_attribute_digest__matches_encode_packed():
    name = reg.str_to_bytes32("did/svc/HubService")
    got = reg.set_attribute_digest(REGISTRY, 3, IDENTITY, name, b"https://x", 60)
    assert got == packed(
        3, "setAttribute", ["bytes32", "bytes", "uint256"], [name, b"https://x", 60]
    )


def test_revoke_attribute_digest__matches_encode_packed():
    name = reg.str_to_bytes32("did/svc/HubService")
    got = reg.revoke_attribute_digest(REGISTRY, 4, IDENTITY, name, b"https://x")
    assert got == packed(4, "revokeAttribute", ["bytes32", "bytes"], [name, b"https://x"])


def test_str_to_bytes32__too_long__raises():
    import pytest

    with pytest.raises(ValueError, match="longer than 32 bytes"):
        reg.str_to_bytes32("did/pub/Secp256k1/veriKey/hex/and-more")
    assert reg.bytes32_to_str(reg.str_to_bytes32("veriKey")) == "veriKey"
