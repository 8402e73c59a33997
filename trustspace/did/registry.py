"""ERC-1056 signed-message hashes, signing with eth-account, and web3 transaction helpers.

The hashes are byte for byte those of the reference EthereumDIDRegistry:
``keccak256(0x19 0x00 ‖ registry ‖ nonce ‖ identity ‖ "<operation>" ‖ arguments)``
with ``abi.encodePacked`` packing (addresses 20 bytes, integers and bytes32 32
bytes, ``bytes`` raw). They bind the registry address, not the chain id: the
registry must have a different address on every chain (see
``trustspace.deploy.did``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_utils.address import to_canonical_address, to_checksum_address
from eth_utils.crypto import keccak

# A year: what the ethr-did libraries use when no validity is given.
DEFAULT_VALIDITY = 86400 * 365

PREFIX = b"\x19\x00"


def str_to_bytes32(text: str) -> bytes:
    """A delegate type or attribute name as bytes32: UTF-8, right-padded with zeros.

    Raises ValueError for names longer than 32 bytes instead of truncating them
    (the ethr-did libraries truncate silently, which makes two names collide).
    """
    raw = text.encode()
    if len(raw) > 32:
        raise ValueError(f"name longer than 32 bytes: {text!r}")
    return raw.ljust(32, b"\x00")


def bytes32_to_str(raw: bytes) -> str:
    """The inverse of :func:`str_to_bytes32` (trailing zeros dropped)."""
    return bytes(raw).rstrip(b"\x00").decode("utf-8", errors="replace")


def address_of(value: Any) -> str:
    """A checksummed address from a string or anything with an ``address`` (ape accounts)."""
    return to_checksum_address(getattr(value, "address", value))


def _addr(value: Any) -> bytes:
    return to_canonical_address(address_of(value))


def _uint(value: int) -> bytes:
    return int(value).to_bytes(32, "big")


def _digest(registry: Any, nonce: int, identity: Any, operation: bytes, args: bytes) -> bytes:
    return keccak(PREFIX + _addr(registry) + _uint(nonce) + _addr(identity) + operation + args)


def change_owner_digest(registry: Any, nonce: int, identity: Any, new_owner: Any) -> bytes:
    """Digest the owner signs for ``changeOwnerSigned``."""
    return _digest(registry, nonce, identity, b"changeOwner", _addr(new_owner))


def add_delegate_digest(
    registry: Any, nonce: int, identity: Any, delegate_type: bytes, delegate: Any, validity: int
) -> bytes:
    """Digest the owner signs for ``addDelegateSigned``."""
    args = bytes(delegate_type) + _addr(delegate) + _uint(validity)
    return _digest(registry, nonce, identity, b"addDelegate", args)


def revoke_delegate_digest(
    registry: Any, nonce: int, identity: Any, delegate_type: bytes, delegate: Any
) -> bytes:
    """Digest the owner signs for ``revokeDelegateSigned``."""
    args = bytes(delegate_type) + _addr(delegate)
    return _digest(registry, nonce, identity, b"revokeDelegate", args)


def set_attribute_digest(
    registry: Any, nonce: int, identity: Any, name: bytes, value: bytes, validity: int
) -> bytes:
    """Digest the owner signs for ``setAttributeSigned``."""
    args = bytes(name) + bytes(value) + _uint(validity)
    return _digest(registry, nonce, identity, b"setAttribute", args)


def revoke_attribute_digest(
    registry: Any, nonce: int, identity: Any, name: bytes, value: bytes
) -> bytes:
    """Digest the owner signs for ``revokeAttributeSigned``."""
    return _digest(registry, nonce, identity, b"revokeAttribute", bytes(name) + bytes(value))


@dataclass(frozen=True)
class Signature:
    """An ECDSA signature split the way the ERC-1056 signed functions take it."""

    v: int
    r: bytes
    s: bytes

    def args(self) -> tuple[int, bytes, bytes]:
        """``(sigV, sigR, sigS)`` for the contract call."""
        return (self.v, self.r, self.s)


def sign_digest(digest: bytes, private_key: str | bytes) -> Signature:
    """Sign a raw 32-byte digest (no EIP-191 wrapping: the 0x19 0x00 prefix is in it)."""
    signed = Account.unsafe_sign_hash(digest, private_key)
    return Signature(v=signed.v, r=signed.r.to_bytes(32, "big"), s=signed.s.to_bytes(32, "big"))


class Web3Registry:
    """Send ERC-1056 transactions through web3.py (any JSON-RPC chain).

    ``sender_key`` pays for and sends every transaction; the ``*_signed``
    methods take the owner's key separately, so that another account pays
    (meta-transactions).
    """

    def __init__(self, w3: Any, address: str, sender_key: str) -> None:
        from trustspace.artifacts import abi

        self.w3 = w3
        self.address = to_checksum_address(address)
        self.contract = w3.eth.contract(address=self.address, abi=abi("DIDRegistry"))
        self.sender = Account.from_key(sender_key)

    def _send(self, call: Any) -> Any:
        tx = call.build_transaction(
            {
                "from": self.sender.address,
                "nonce": self.w3.eth.get_transaction_count(self.sender.address),
                "chainId": self.w3.eth.chain_id,
            }
        )
        # Margin over the estimate: first writes of a record cost more than
        # the node's estimate in some orders of pending transactions.
        tx["gas"] = int(tx["gas"] * 1.25) + 10_000
        signed = self.sender.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise RuntimeError(f"transaction {tx_hash.hex()} reverted")
        return receipt

    def nonce_of(self, identity: str) -> int:
        """The signing nonce of the current owner of ``identity``."""
        owner = self.contract.functions.identityOwner(identity).call()
        return int(self.contract.functions.nonce(owner).call())

    def change_owner(self, identity: str, new_owner: Any) -> Any:
        return self._send(self.contract.functions.changeOwner(identity, new_owner))

    def change_owner_signed(self, identity: str, new_owner: Any, owner_key: str) -> Any:
        digest = change_owner_digest(self.address, self.nonce_of(identity), identity, new_owner)
        sig = sign_digest(digest, owner_key)
        return self._send(
            self.contract.functions.changeOwnerSigned(identity, *sig.args(), new_owner)
        )

    def add_delegate(self, identity: str, delegate_type: str, delegate: Any, validity: int) -> Any:
        kind = str_to_bytes32(delegate_type)
        return self._send(self.contract.functions.addDelegate(identity, kind, delegate, validity))

    def add_delegate_signed(
        self, identity: str, delegate_type: str, delegate: Any, validity: int, owner_key: str
    ) -> Any:
        kind = str_to_bytes32(delegate_type)
        digest = add_delegate_digest(
            self.address, self.nonce_of(identity), identity, kind, delegate, validity
        )
        sig = sign_digest(digest, owner_key)
        return self._send(
            self.contract.functions.addDelegateSigned(
                identity, *sig.args(), kind, delegate, validity
            )
        )

    def revoke_delegate(self, identity: str, delegate_type: str, delegate: str) -> Any:
        kind = str_to_bytes32(delegate_type)
        return self._send(self.contract.functions.revokeDelegate(identity, kind, delegate))

    def revoke_delegate_signed(
        self, identity: str, delegate_type: str, delegate: str, owner_key: str
    ) -> Any:
        kind = str_to_bytes32(delegate_type)
        digest = revoke_delegate_digest(
            self.address, self.nonce_of(identity), identity, kind, delegate
        )
        sig = sign_digest(digest, owner_key)
        return self._send(
            self.contract.functions.revokeDelegateSigned(identity, *sig.args(), kind, delegate)
        )

    def set_attribute(self, identity: str, name: str, value: bytes, validity: int) -> Any:
        key = str_to_bytes32(name)
        return self._send(self.contract.functions.setAttribute(identity, key, value, validity))

    def set_attribute_signed(
        self, identity: str, name: str, value: bytes, validity: int, owner_key: str
    ) -> Any:
        key = str_to_bytes32(name)
        digest = set_attribute_digest(
            self.address, self.nonce_of(identity), identity, key, value, validity
        )
        sig = sign_digest(digest, owner_key)
        return self._send(
            self.contract.functions.setAttributeSigned(identity, *sig.args(), key, value, validity)
        )

    def revoke_attribute(self, identity: str, name: str, value: bytes) -> Any:
        key = str_to_bytes32(name)
        return self._send(self.contract.functions.revokeAttribute(identity, key, value))

    def revoke_attribute_signed(
        self, identity: str, name: str, value: bytes, owner_key: str
    ) -> Any:
        key = str_to_bytes32(name)
        digest = revoke_attribute_digest(
            self.address, self.nonce_of(identity), identity, key, value
        )
        sig = sign_digest(digest, owner_key)
        return self._send(
            self.contract.functions.revokeAttributeSigned(identity, *sig.args(), key, value)
        )
