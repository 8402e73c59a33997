"""Credential status: the on-chain status lists of CredentialRegistry and their published form.

An on-chain list keeps entry ``i`` in word ``i // 255``, bit ``i % 255`` (bit 255 is the
sentinel that keeps a slot non-zero, so that a flip costs a non-zero-to-non-zero write).
The published form is a W3C Bitstring Status List: the bits in index order (entry 0 is the
most significant bit of the first byte), at least 131,072 of them (the spec's minimum, for
herd privacy), GZIP-compressed and base64url-encoded with the multibase prefix ``u``,
inside a status-list credential signed by the issuer.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from dataclasses import dataclass
from typing import Any

from trustspace.credentials.model import (
    BITSTRING_ENTRY,
    STATUS_CONTEXT,
    VC_CONTEXT,
    CredentialError,
    Purpose,
)

__all__ = [
    "MAX_LIST_BYTES",
    "MIN_BITS",
    "PER_WORD",
    "StatusEntry",
    "bit_at",
    "bits_from_words",
    "decode_list",
    "default_list_uri",
    "encode_list",
    "list_credential_payload",
    "read_bits",
    "status_entries",
]

#: Entries per on-chain word (bit 255 is the sentinel).
PER_WORD = 255
#: Smallest published bitstring (W3C Bitstring Status List: 16 KiB).
MIN_BITS = 131_072
#: Largest decoded bitstring read (1 MiB, 8,388,608 entries; an on-chain list holds at most
#: 2,088,960): a GZIP bomb stops there instead of filling memory.
MAX_LIST_BYTES = 1 << 20
#: Largest index or list id an entry may name (the contract's counters fit well below).
_MAX_ID = 1 << 64
_READ = 1_024


@dataclass(frozen=True)
class StatusEntry:
    """One ``credentialStatus`` entry: which list, which index, which purpose."""

    chain_id: int
    registry: str
    list_id: int
    index: int
    purpose: Purpose
    list_credential: str

    def as_json(self) -> dict[str, Any]:
        """The W3C ``BitstringStatusListEntry`` with the on-chain locator beside it."""
        return {
            "id": f"{self.list_credential}#{self.index}",
            "type": BITSTRING_ENTRY,
            "statusPurpose": self.purpose.label,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_credential,
            "statusRegistry": f"eip155:{self.chain_id}:{self.registry}",
            "statusListId": str(self.list_id),
        }

    @classmethod
    def from_json(cls, obj: Any) -> StatusEntry:
        """Read an entry back; :class:`CredentialError` if it is not one of ours."""
        try:
            if obj["type"] != BITSTRING_ENTRY:
                raise ValueError(obj["type"])
            _, chain, registry = str(obj["statusRegistry"]).split(":")
            list_id, index = int(obj["statusListId"]), int(obj["statusListIndex"])
            if not (0 < list_id < _MAX_ID and 0 <= index < _MAX_ID):
                raise ValueError(f"list {list_id} index {index} out of range")
            return cls(
                int(chain),
                registry,
                list_id,
                index,
                Purpose[str(obj["statusPurpose"]).upper()],
                str(obj["statusListCredential"]),
            )
        except (KeyError, ValueError, TypeError) as err:
            raise CredentialError(f"not a status entry of this registry: {err}") from err


def default_list_uri(chain_id: int, registry: str, list_id: int) -> str:
    """Where a list's status-list credential is named when the issuer publishes no URL."""
    return f"urn:trustspace:status:{chain_id}:{registry}:{list_id}"


def status_entries(
    chain_id: int,
    registry: str,
    revocation_list: int,
    suspension_list: int | None,
    index: int,
    base_uri: str | None = None,
) -> list[StatusEntry]:
    """The entries a credential carries: revocation, and suspension when a list is given."""
    out = []
    for list_id, purpose in (
        (revocation_list, Purpose.REVOCATION),
        (suspension_list, Purpose.SUSPENSION),
    ):
        if list_id is None:
            continue
        uri = (
            f"{base_uri.rstrip('/')}/{list_id}"
            if base_uri
            else default_list_uri(chain_id, registry, list_id)
        )
        out.append(StatusEntry(chain_id, registry, list_id, index, purpose, uri))
    return out


def read_bits(registry: Any, list_id: int) -> tuple[int, Purpose, list[bool]]:
    """Owner organisation, purpose and every bit of an on-chain list (1,024 words per call)."""
    org, purpose, capacity = registry.list_info(list_id)
    if int(org) == 0:
        raise CredentialError(f"no status list {list_id}")
    words: list[int] = []
    while len(words) * PER_WORD < int(capacity):
        chunk = [int(w) for w in registry.list_words(list_id, len(words), _READ)]
        if not chunk:
            break
        words.extend(chunk)
    return int(org), Purpose(int(purpose)), bits_from_words(words)


def bits_from_words(words: list[int]) -> list[bool]:
    """Entries of on-chain words, sentinel dropped."""
    return [bool((w >> b) & 1) for w in words for b in range(PER_WORD)]


def encode_list(bits: list[bool]) -> str:
    """The ``encodedList`` of ``bits`` (padded to :data:`MIN_BITS`)."""
    size = max(MIN_BITS, (len(bits) + 7) // 8 * 8)
    raw = bytearray(size // 8)
    for i, bit in enumerate(bits):
        if bit:
            raw[i // 8] |= 0x80 >> (i % 8)
    compressed = gzip.compress(bytes(raw), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode_list(encoded: str) -> bytes:
    """The raw bitstring of an ``encodedList``."""
    if not encoded.startswith("u"):
        raise CredentialError("encodedList is not multibase base64url (prefix u)")
    body = encoded[1:]
    try:
        inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP framing, one member
        raw = inflate.decompress(
            base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), MAX_LIST_BYTES + 1
        )
    except (zlib.error, ValueError) as err:
        raise CredentialError("encodedList is not GZIP-compressed base64url") from err
    if len(raw) > MAX_LIST_BYTES:
        raise CredentialError(f"encodedList decodes to more than {MAX_LIST_BYTES} bytes")
    if not inflate.eof:
        raise CredentialError("encodedList is not GZIP-compressed base64url (truncated)")
    return raw


def bit_at(raw: bytes, index: int) -> bool:
    """Entry ``index`` of a decoded bitstring."""
    if index // 8 >= len(raw):
        raise CredentialError(f"status index {index} is beyond the list ({len(raw) * 8} entries)")
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def list_credential_payload(
    issuer: str, uri: str, purpose: Purpose, bits: list[bool], issued_at: int, ttl: int
) -> dict[str, Any]:
    """JWT claims of a status-list credential (VC 1.1 JWT form, like the credentials)."""
    return {
        "iss": issuer,
        "jti": uri,
        "nbf": issued_at,
        "iat": issued_at,
        "exp": issued_at + ttl,
        "vc": {
            "@context": [VC_CONTEXT, STATUS_CONTEXT],
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "credentialSubject": {
                "id": f"{uri}#list",
                "type": "BitstringStatusList",
                "statusPurpose": purpose.label,
                "encodedList": encode_list(bits),
            },
        },
    }
