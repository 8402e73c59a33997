"""EIP-712 typed data for delegated attestation and revocation.

Used by ``Notary.attestBySig`` and ``Notary.revokeBySig``.

The domain binds chain id and Notary address, so a signature never replays on
another chain or another deployment. The message names the signer *and* the
organisation it signs for (``orgId``): the Notary refuses the request
(``NotaryOrgMismatch``) once the key belongs to another organisation, so a
request signed as customs never becomes a tax attestation after the key moves.
Nonces are unordered (a bitmap on chain): pick any unused one;
:func:`random_nonce` avoids collisions between independent back-office
processes without coordination.

Domain version ``2`` (since requests name the organisation): signatures made
for version ``1`` requests do not verify any more.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data

__all__ = [
    "ATTEST_TYPES",
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "MAX_ORG_ID",
    "REVOKE_TYPES",
    "AttestRequest",
    "RevokeRequest",
    "domain",
    "random_nonce",
    "sign",
    "signing_hash",
    "typed_data",
]

DOMAIN_NAME = "trustspace Notary"
DOMAIN_VERSION = "2"

ATTEST_TYPES: list[dict[str, str]] = [
    {"name": "attester", "type": "address"},
    {"name": "orgId", "type": "uint32"},
    {"name": "digest", "type": "bytes32"},
    {"name": "schemaId", "type": "uint32"},
    {"name": "parent", "type": "bytes32"},
    {"name": "expiresAt", "type": "uint40"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
REVOKE_TYPES: list[dict[str, str]] = [
    {"name": "revoker", "type": "address"},
    {"name": "orgId", "type": "uint32"},
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


#: Largest organisation id a request can name (``uint32 orgId``, as in records).
MAX_ORG_ID = 2**32 - 1


def _check_org_id(org_id: int) -> None:
    if isinstance(org_id, bool) or not isinstance(org_id, int) or not 1 <= org_id <= MAX_ORG_ID:
        raise ValueError(f"org_id must be an organisation id in 1..{MAX_ORG_ID}, got {org_id!r}")


@dataclass(frozen=True)
class AttestRequest:
    """Mirror of ``INotary.AttestRequest``.

    ``org_id`` (keyword-only) is the organisation the attester signs for: the
    record goes to it, and to no other, whatever happens to the key later.
    """

    attester: str
    digest: bytes
    schema_id: int
    nonce: int
    deadline: int
    parent: bytes = bytes(32)
    expires_at: int = 0
    org_id: int = field(kw_only=True)

    def __post_init__(self) -> None:
        _check_org_id(self.org_id)

    def message(self) -> dict[str, Any]:
        """The EIP-712 message (field names and order as in the Solidity struct)."""
        return {
            "attester": self.attester,
            "orgId": self.org_id,
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
    """Mirror of ``INotary.RevokeRequest``; ``org_id`` (keyword-only) as in ``AttestRequest``."""

    revoker: str
    id: bytes
    reason: int
    nonce: int
    deadline: int
    org_id: int = field(kw_only=True)

    def __post_init__(self) -> None:
        _check_org_id(self.org_id)

    def message(self) -> dict[str, Any]:
        """The EIP-712 message (field names and order as in the Solidity struct)."""
        return {
            "revoker": self.revoker,
            "orgId": self.org_id,
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
