"""Names shared by issuing and verifying: contexts, status purposes, verification reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import Any

from eth_utils.crypto import keccak

from trustspace.errors import InputError

__all__ = [
    "BITSTRING_ENTRY",
    "SCHEMA_PREFIX",
    "SD_JWT_TYP",
    "VC_CONTEXT",
    "CredentialError",
    "Purpose",
    "Reason",
    "Verdict",
    "type_hash",
]

#: VC Data Model 1.1 base context: the one did-jwt-vc checks (see docs/credentials.md).
VC_CONTEXT = "https://www.w3.org/2018/credentials/v1"
#: Context of the W3C Bitstring Status List terms.
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
BITSTRING_ENTRY = "BitstringStatusListEntry"
#: A credentialSchema id names a registered schema by hash: urn:trustspace:schema:0x<keccak>.
SCHEMA_PREFIX = "urn:trustspace:schema:"
#: Media type of an SD-JWT VC (SD-JWT VC draft, the value @sd-jwt/sd-jwt-vc expects).
SD_JWT_TYP = "dc+sd-jwt"


class CredentialError(InputError):
    """A credential, presentation or status list cannot be built from the input."""


class Purpose(IntEnum):
    """Status purpose of an on-chain list (the contract's ``purpose``)."""

    REVOCATION = 1
    SUSPENSION = 2

    @property
    def label(self) -> str:
        """The W3C ``statusPurpose`` value."""
        return self.name.lower()


class Reason(Enum):
    """Why a credential or presentation does not verify: one code, one sentence."""

    VALID = "valid"
    MALFORMED = "not a well-formed credential"
    BAD_SIGNATURE = "signature does not match any key of the issuer's DID"
    KEY_NOT_LIVE = "signing key is no longer a live key of the issuer's DID"
    KEY_NOT_LIVE_AT_ISSUANCE = "signing key was not a key of the issuer's DID at issuance"
    DEACTIVATED = "issuer DID is deactivated"
    UNKNOWN_ISSUER = "issuer DID is not a consortium organisation"
    ISSUER_NOT_LIVE = "issuer organisation is suspended or removed"
    UNKNOWN_SCHEMA = "credential schema is not registered for the credential type"
    NOT_ACCREDITED = "issuer was not accredited for the credential type at issuance"
    NOT_YET_VALID = "credential is not yet valid"
    EXPIRED = "credential has expired"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    STATUS_UNKNOWN = "credential status cannot be read"
    STATUS_STALE = "status list is older than allowed"
    SCHEMA_VIOLATION = "credential subject does not match its schema"
    WRONG_AUDIENCE = "presentation was made for another verifier"
    WRONG_NONCE = "presentation nonce does not match"
    HOLDER_MISMATCH = "presenter is not the credential's subject"
    TAMPERED_DISCLOSURE = "a disclosure does not match the signed credential"
    NO_KEY_BINDING = "presentation has no valid key binding"


@dataclass
class Verdict:
    """The outcome of a verification: valid or the first failing reason, and what was read."""

    reason: Reason
    detail: str = ""
    issuer: str | None = None
    subject: dict[str, Any] = field(default_factory=dict)
    credential_type: str | None = None
    #: Age in seconds of the status list read off chain (None when read on chain).
    status_age: int | None = None
    credentials: list[Verdict] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when every check passed."""
        return self.reason is Reason.VALID

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for ``--json``)."""
        out: dict[str, Any] = {
            "valid": self.valid,
            "reason": self.reason.name.lower(),
            "message": self.reason.value + (f": {self.detail}" if self.detail else ""),
            "issuer": self.issuer,
            "type": self.credential_type,
            "subject": self.subject,
        }
        if self.status_age is not None:
            out["statusAge"] = self.status_age
        if self.credentials:
            out["credentials"] = [c.as_dict() for c in self.credentials]
        return out


def type_hash(name: str) -> bytes:
    """The on-chain key of a credential type: keccak256 of its name."""
    return bytes(keccak(text=name))
