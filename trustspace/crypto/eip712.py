"""EIP-712 typed data for delegated attestation and revocation.

Used by ``Notary.attestBySig`` and ``Notary.revokeBySig``.

The domain binds chain id and Notary address, so a signature never replays on
another chain or another deployment. Nonces are unordered (a bitmap on chain):
pick any unused one; :func:`random_nonce` avoids collisions between
independent back-office processes without coordination.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data

DOMAIN_NAME = "trustspace Notary"
DOMAIN_VERSION = "1"

ATTEST_TYPES: list[dict[str, str]] = [
    {"name": "attester", "type": "address"},
    {"name": "digest", "type": "bytes32"},
    {"name": "schemaId", "type": "uint32"},
    {"name": "parent", "type": "bytes32"},
    {"name": "expiresAt", "type": "uint40"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
REVOKE_TYPES: list[dict[str, str]] = [
    {"name": "revoker", "type": "address"},
    {"name": "id", "type": "bytes32"},
    {"name": "reason", "type": "uint16"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
_DOMAIN_TYPES = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


@dataclass(frozen=True)
class AttestRequest:
    """Mirror of ``INotary.AttestRequest``."""

    attester: str
    digest: bytes
    schema_id: int
    nonce: int
    deadline: int
    parent: bytes = bytes(32)
    expires_at: int = 0

    def message(self) -> dict[str, Any]:
        """The EIP-712 message (field names as in the Solidity struct)."""
        return {
            "attester": self.attester,
            "digest": self.digest,
            "schemaId": self.schema_id,
            "parent": self.parent,
            "expiresAt": self.expires_at,
            "nonce": self.nonce,
            "deadline": self.deadline,
        }

    def as_tuple(self) -> tuple[Any, ...]:
        """The ABI tuple for ``attestBySig``."""
        return tuple(self.message().values())


@dataclass(frozen=True)
class RevokeRequest:
    """Mirror of ``INotary.RevokeRequest``."""

    revoker: str
    id: bytes
    reason: int
    nonce: int
    deadline: int

    def message(self) -> dict[str, Any]:
        """The EIP-712 message."""
        return {
            "revoker": self.revoker,
            "id": self.id,
            "reason": self.reason,
            "nonce": self.nonce,
            "deadline": self.deadline,
        }

    def as_tuple(self) -> tuple[Any, ...]:
        """The ABI tuple for ``revokeBySig``."""
        return tuple(self.message().values())


def domain(chain_id: int, notary: str) -> dict[str, Any]:
    """The Notary's EIP-712 domain on ``chain_id`` at address ``notary``."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": notary,
    }


def typed_data(
    request: AttestRequest | RevokeRequest, chain_id: int, notary: str
) -> dict[str, Any]:
    """The full EIP-712 document (as wallets' ``eth_signTypedData_v4`` take it)."""
    if isinstance(request, AttestRequest):
        primary, fields = "Attest", ATTEST_TYPES
    else:
        primary, fields = "Revoke", REVOKE_TYPES
    return {
        "types": {"EIP712Domain": _DOMAIN_TYPES, primary: fields},
        "primaryType": primary,
        "domain": domain(chain_id, notary),
        "message": request.message(),
    }


def signing_hash(request: AttestRequest | RevokeRequest, chain_id: int, notary: str) -> bytes:
    """The 32-byte digest that is signed (``Notary.hashAttestRequest`` / ``hashRevokeRequest``)."""
    signable = encode_typed_data(full_message=typed_data(request, chain_id, notary))
    # EIP-191 version 0x01 framing: keccak256(0x19 0x01 ‖ domainSeparator ‖ structHash).
    return bytes(_hash_eip191_message(signable))


def sign(
    request: AttestRequest | RevokeRequest, private_key: bytes | str, chain_id: int, notary: str
) -> bytes:
    """65-byte r ‖ s ‖ v signature (low-s, as eth-account always produces)."""
    signed = Account.sign_typed_data(
        private_key, full_message=typed_data(request, chain_id, notary)
    )
    return bytes(signed.signature)


def random_nonce() -> int:
    """A random 248-bit nonce: collision-free across uncoordinated signers in practice."""
    return secrets.randbits(248)
