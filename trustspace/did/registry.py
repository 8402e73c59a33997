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
from typing import Any, Protocol, runtime_checkable

from eth_account import Account
from eth_utils.address import to_canonical_address, to_checksum_address
from eth_utils.crypto import keccak

from trustspace.errors import InputError, TrustspaceError

__all__ = [
    "DEFAULT_VALIDITY",
    "ApeSigner",
    "KeySigner",
    "RegistryError",
    "Signature",
    "Signer",
    "SigningDeclined",
    "Web3Registry",
    "add_delegate_digest",
    "address_of",
    "as_signer",
    "bytes32_to_str",
    "change_owner_digest",
    "revoke_attribute_digest",
    "revoke_delegate_digest",
    "set_attribute_digest",
    "sign_digest",
    "str_to_bytes32",
]

# A year: what the ethr-did libraries use when no validity is given.
DEFAULT_VALIDITY = 86400 * 365

PREFIX = b"\x19\x00"


def str_to_bytes32(text: str) -> bytes:
    """A delegate type or attribute name as bytes32: UTF-8, right-padded with zeros.

    Raises InputError (a ValueError) for names longer than 32 bytes instead of truncating them
    (the ethr-did libraries truncate silently, which makes two names collide).
    """
    raw = text.encode()
    if len(raw) > 32:
        raise InputError(f"name longer than 32 bytes: {text!r}")
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


class RegistryError(InputError):
    """The registry refused a transaction (its revert reason says why) or it reverted."""


class SigningDeclined(TrustspaceError):
    """The account (an ape keyfile account asks its holder) did not sign."""


@runtime_checkable
class Signer(Protocol):
    """Who sends a transaction or signs an ERC-1056 digest: a key or an ape account."""

    @property
    def address(self) -> str: ...

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """The raw signed transaction for a web3 transaction dict."""
        ...

    def sign_hash(self, digest: bytes) -> Signature:
        """A signature of the raw 32-byte ``digest`` (no EIP-191 wrapping)."""
        ...


class KeySigner:
    """A private key held in memory (read from an environment variable or a key file)."""

    def __init__(self, private_key: str | bytes) -> None:
        try:
            self._account = Account.from_key(private_key)
        except (ValueError, TypeError) as err:
            # Never repeat the value: it may be a real key with a typo.
            raise InputError("not a private key (expected 32 bytes as hex)") from err

    @property
    def address(self) -> str:
        return str(self._account.address)

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        unsigned = {k: v for k, v in tx.items() if k != "from"}
        return bytes(self._account.sign_transaction(unsigned).raw_transaction)

    def sign_hash(self, digest: bytes) -> Signature:
        return sign_digest(digest, self._account.key)


class ApeSigner:
    """An ape account (``ape accounts`` keyfile, hardware plugin, or a test account).

    Keyfile accounts ask their holder for the passphrase and to confirm each
    signature, in ape's own prompts.
    """

    def __init__(self, account: Any) -> None:
        self.account = account

    @property
    def address(self) -> str:
        return str(self.account.address)

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        from ape import networks

        unsigned = networks.ethereum.create_transaction(**tx)
        signed = self.account.sign_transaction(unsigned)
        if signed is None or not signed.signature:
            raise SigningDeclined(f"account {self.address} did not sign the transaction")
        return bytes(signed.serialize_transaction())

    def sign_hash(self, digest: bytes) -> Signature:
        from hexbytes import HexBytes

        sig = self.account.sign_raw_msghash(HexBytes(digest))
        if sig is None:
            raise SigningDeclined(f"account {self.address} did not sign the message")
        r, s = bytes(sig.r).rjust(32, b"\x00"), bytes(sig.s).rjust(32, b"\x00")
        return Signature(v=int(sig.v), r=r, s=s)


def as_signer(value: Any) -> Signer:
    """A :class:`Signer` from a signer, an ape account or a private key."""
    if isinstance(value, KeySigner | ApeSigner):
        return value
    if isinstance(value, str | bytes):
        return KeySigner(value)
    if hasattr(value, "sign_transaction") and hasattr(value, "sign_raw_msghash"):
        return ApeSigner(value)
    if isinstance(value, Signer):
        return value
    raise TypeError(f"cannot sign with {type(value).__name__}")


def _revert_reason(err: Exception) -> str:
    message = str(getattr(err, "message", None) or err)
    return message.removeprefix("execution reverted: ").strip("'\"() ")


class Web3Registry:
    """Send ERC-1056 transactions through web3.py (any JSON-RPC chain).

    ``sender`` pays for and sends every transaction (a :class:`Signer`, an ape
    account, or a private key); the ``*_signed`` methods take the owner's
    signer separately, so that another account pays (meta-transactions).
    A transaction the registry refuses raises :class:`RegistryError` with its
    revert reason before anything is sent.
    """

    def __init__(self, w3: Any, address: str, sender: Any) -> None:
        from trustspace.artifacts import abi

        self.w3 = w3
        self.address = to_checksum_address(address)
        self.contract = w3.eth.contract(address=self.address, abi=abi("DIDRegistry"))
        self.sender = as_signer(sender)

    def _send(self, call: Any) -> Any:
        from web3.exceptions import ContractLogicError

        from trustspace.fees import web3_fees

        sender = self.sender.address
        try:
            gas = call.estimate_gas({"from": sender})
        except ContractLogicError as err:
            raise RegistryError(f"the registry refused: {_revert_reason(err)}") from err
        # Margin over the estimate: first writes of a record cost more than
        # the node's estimate in some orders of pending transactions.
        gas = int(gas * 1.25) + 10_000
        # Priced by the network (free-gas networks, legacy-only ones); estimated without a price.
        chain_id = self.w3.eth.chain_id
        fees = web3_fees(self.w3, chain_id)
        quote = fees.payable(fees.quote(), sender, self.w3.eth.get_balance(sender), gas)
        tx = call.build_transaction(
            {
                "from": sender,
                "nonce": self.w3.eth.get_transaction_count(sender),
                "chainId": chain_id,
                "gas": gas,
                **quote.params(),
            }
        )
        raw = self.sender.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(raw)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise RegistryError(f"transaction 0x{bytes(tx_hash).hex()} reverted")
        return receipt

    def nonce_of(self, identity: str) -> int:
        """The signing nonce of the current owner of ``identity``."""
        owner = self.contract.functions.identityOwner(identity).call()
        return int(self.contract.functions.nonce(owner).call())

    def change_owner(self, identity: str, new_owner: Any) -> Any:
        return self._send(self.contract.functions.changeOwner(identity, new_owner))

    def change_owner_signed(self, identity: str, new_owner: Any, owner: Any) -> Any:
        digest = change_owner_digest(self.address, self.nonce_of(identity), identity, new_owner)
        sig = as_signer(owner).sign_hash(digest)
        return self._send(
            self.contract.functions.changeOwnerSigned(identity, *sig.args(), new_owner)
        )

    def add_delegate(self, identity: str, delegate_type: str, delegate: Any, validity: int) -> Any:
        kind = str_to_bytes32(delegate_type)
        return self._send(self.contract.functions.addDelegate(identity, kind, delegate, validity))

    def add_delegate_signed(
        self, identity: str, delegate_type: str, delegate: Any, validity: int, owner: Any
    ) -> Any:
        kind = str_to_bytes32(delegate_type)
        digest = add_delegate_digest(
            self.address, self.nonce_of(identity), identity, kind, delegate, validity
        )
        sig = as_signer(owner).sign_hash(digest)
        return self._send(
            self.contract.functions.addDelegateSigned(
                identity, *sig.args(), kind, delegate, validity
            )
        )

    def revoke_delegate(self, identity: str, delegate_type: str, delegate: str) -> Any:
        kind = str_to_bytes32(delegate_type)
        return self._send(self.contract.functions.revokeDelegate(identity, kind, delegate))

    def revoke_delegate_signed(
        self, identity: str, delegate_type: str, delegate: str, owner: Any
    ) -> Any:
        kind = str_to_bytes32(delegate_type)
        digest = revoke_delegate_digest(
            self.address, self.nonce_of(identity), identity, kind, delegate
        )
        sig = as_signer(owner).sign_hash(digest)
        return self._send(
            self.contract.functions.revokeDelegateSigned(identity, *sig.args(), kind, delegate)
        )

    def set_attribute(self, identity: str, name: str, value: bytes, validity: int) -> Any:
        key = str_to_bytes32(name)
        return self._send(self.contract.functions.setAttribute(identity, key, value, validity))

    def set_attribute_signed(
        self, identity: str, name: str, value: bytes, validity: int, owner: Any
    ) -> Any:
        key = str_to_bytes32(name)
        digest = set_attribute_digest(
            self.address, self.nonce_of(identity), identity, key, value, validity
        )
        sig = as_signer(owner).sign_hash(digest)
        return self._send(
            self.contract.functions.setAttributeSigned(identity, *sig.args(), key, value, validity)
        )

    def revoke_attribute(self, identity: str, name: str, value: bytes) -> Any:
        key = str_to_bytes32(name)
        return self._send(self.contract.functions.revokeAttribute(identity, key, value))

    def revoke_attribute_signed(self, identity: str, name: str, value: bytes, owner: Any) -> Any:
        key = str_to_bytes32(name)
        digest = revoke_attribute_digest(
            self.address, self.nonce_of(identity), identity, key, value
        )
        sig = as_signer(owner).sign_hash(digest)
        return self._send(
            self.contract.functions.revokeAttributeSigned(identity, *sig.args(), key, value)
        )
