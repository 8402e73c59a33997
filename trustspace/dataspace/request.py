"""Signed data requests: what a consumer presents to a provider's connector.

An EIP-712 typed message signed by an account of the consumer organisation::

    DataRequest(address consumer, uint256 agreementId, uint64 offerId, bytes32 nonce,
                uint64 expiry, string audience)

in the domain ``{"name": "trustspace DataService", "version": "1", chainId, verifyingContract:
the DataService}``, so a request never replays on another chain or deployment. ``audience`` is
the connector's URL (a request for one connector is refused by another), ``expiry`` bounds the
request's life (the connector also refuses one that lives longer than it accepts), ``nonce`` is
random and remembered by the connector (SQLite), so a captured request is served once. The
request id logged on chain is the EIP-712 signing hash. EIP-712 was chosen because wallets and
every Ethereum library sign and verify it (eth-account here), and it is what the Notary's
delegated requests already use (:mod:`trustspace.crypto.eip712`).

A request may carry a verifiable presentation (a VP JWT, field ``presentation``, at most
:data:`MAX_PRESENTATION` characters) beside the signed fields, for an offer whose policy names a
``credentialType``. It is not signed as part of the request: the presentation's own ``nonce``
claim must be the request's nonce (``0x`` and 64 lowercase hex digits, :meth:`DataRequest.
presentation_nonce`) and its ``aud`` the connector's URL, so a presentation is bound to this one
request and the connector refuses it with any other (docs/dataspace.md).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, _hash_eip191_message, encode_typed_data
from eth_utils import is_checksum_address, to_checksum_address

from trustspace.errors import InputError

__all__ = [
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "MAX_PRESENTATION",
    "REQUEST_TYPES",
    "DataRequest",
    "RequestError",
    "SignedRequest",
    "key_signer",
    "sign_request",
]

#: Longest presentation (VP JWT) a request carries, in characters.
MAX_PRESENTATION = 24_000
DOMAIN_NAME = "trustspace DataService"
DOMAIN_VERSION = "1"
REQUEST_TYPES: list[dict[str, str]] = [
    {"name": "consumer", "type": "address"},
    {"name": "agreementId", "type": "uint256"},
    {"name": "offerId", "type": "uint64"},
    {"name": "nonce", "type": "bytes32"},
    {"name": "expiry", "type": "uint64"},
    {"name": "audience", "type": "string"},
]
_DOMAIN_TYPES = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
#: Signs an EIP-712 message, returns 65 bytes r ‖ s ‖ v.
Signer = Callable[[SignableMessage], bytes]


class RequestError(InputError):
    """A request document that is malformed (not a forged one: that is a failed check)."""


@dataclass(frozen=True)
class DataRequest:
    """The signed fields of a data request."""

    consumer: str
    agreement_id: int
    offer_id: int
    nonce: bytes
    expiry: int
    audience: str

    def message(self) -> dict[str, Any]:
        """The EIP-712 message."""
        return {
            "consumer": self.consumer,
            "agreementId": self.agreement_id,
            "offerId": self.offer_id,
            "nonce": self.nonce,
            "expiry": self.expiry,
            "audience": self.audience,
        }

    def typed_data(self, chain_id: int, data_service: str) -> dict[str, Any]:
        """The full EIP-712 document (``eth_signTypedData_v4`` form)."""
        return {
            "types": {"EIP712Domain": _DOMAIN_TYPES, "DataRequest": REQUEST_TYPES},
            "primaryType": "DataRequest",
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": chain_id,
                "verifyingContract": data_service,
            },
            "message": self.message(),
        }

    def signable(self, chain_id: int, data_service: str) -> SignableMessage:
        """The EIP-191 (version 0x01) message a wallet signs."""
        return encode_typed_data(full_message=self.typed_data(chain_id, data_service))

    def request_id(self, chain_id: int, data_service: str) -> bytes:
        """The signing hash: the request id logged on chain."""
        return bytes(_hash_eip191_message(self.signable(chain_id, data_service)))

    def presentation_nonce(self) -> str:
        """The ``nonce`` a presentation sent with this request must carry: the request's."""
        return "0x" + self.nonce.hex()


@dataclass(frozen=True)
class SignedRequest:
    """A request and its signature, as sent over HTTP (:meth:`to_json`)."""

    request: DataRequest
    signature: bytes
    #: A VP JWT bound to this request by its nonce (not covered by the signature).
    presentation: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON body the connector takes."""
        r = self.request
        doc: dict[str, Any] = {
            "consumer": r.consumer,
            "agreementId": r.agreement_id,
            "offerId": r.offer_id,
            "nonce": "0x" + r.nonce.hex(),
            "expiry": r.expiry,
            "audience": r.audience,
            "signature": "0x" + self.signature.hex(),
        }
        if self.presentation is not None:
            doc["presentation"] = self.presentation
        return doc

    def with_presentation(self, presentation: str | None) -> SignedRequest:
        """The same signed request carrying ``presentation``."""
        return SignedRequest(self.request, self.signature, presentation)

    def body(self) -> bytes:
        """The UTF-8 JSON body."""
        return json.dumps(self.to_json()).encode()

    @classmethod
    def from_json(cls, doc: Any) -> SignedRequest:
        """Parse a request body; :class:`RequestError` says which field is wrong."""
        if not isinstance(doc, dict):
            raise RequestError("request: expected a JSON object")
        expected = {
            "consumer",
            "agreementId",
            "offerId",
            "nonce",
            "expiry",
            "audience",
            "signature",
        }
        if set(doc) - {"presentation"} != expected:
            raise RequestError(
                f"request: fields must be exactly {', '.join(sorted(expected))} "
                "(and optionally presentation)"
            )
        presentation = doc.get("presentation")
        if presentation is not None and (
            not isinstance(presentation, str) or not 0 < len(presentation) <= MAX_PRESENTATION
        ):
            raise RequestError(
                f"request: presentation must be a JWT of at most {MAX_PRESENTATION} characters"
            )
        consumer = doc["consumer"]
        if not isinstance(consumer, str) or not is_checksum_address(consumer):
            raise RequestError("request: consumer must be a checksummed address")
        for name, top in (
            ("agreementId", 2**256 - 1),
            ("offerId", 2**64 - 1),
            ("expiry", 2**64 - 1),
        ):
            value = doc[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
                raise RequestError(f"request: {name} must be an integer in 0..{top}")
        if not isinstance(doc["audience"], str) or len(doc["audience"]) > 512:
            raise RequestError("request: audience must be a string of at most 512 characters")
        nonce = _hex(doc["nonce"], "nonce", 32)
        signature = _hex(doc["signature"], "signature", 65)
        request = DataRequest(
            consumer=consumer,
            agreement_id=doc["agreementId"],
            offer_id=doc["offerId"],
            nonce=nonce,
            expiry=doc["expiry"],
            audience=doc["audience"],
        )
        return cls(request, signature, presentation)

    def signer(self, chain_id: int, data_service: str) -> str | None:
        """The address that signed, or None for a signature that recovers to nothing."""
        try:
            return str(
                Account.recover_message(
                    self.request.signable(chain_id, data_service), signature=self.signature
                )
            )
        except Exception:  # any malformed or high-s signature is simply no signer
            return None


def _hex(value: Any, name: str, length: int) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 2 + 2 * length:
        raise RequestError(f"request: {name} must be 0x and {length} bytes of hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError as err:
        raise RequestError(f"request: {name} must be 0x and {length} bytes of hex") from err


def key_signer(private_key: bytes | str) -> Signer:
    """A :data:`Signer` over a raw private key (tests, bench, daemons with a key file)."""

    def sign(message: SignableMessage) -> bytes:
        return bytes(Account.sign_message(message, private_key).signature)

    return sign


def sign_request(
    signer: Signer,
    consumer: str,
    agreement_id: int,
    offer_id: int,
    audience: str,
    chain_id: int,
    data_service: str,
    lifetime: int = 120,
    now: int | None = None,
    nonce: bytes | None = None,
) -> SignedRequest:
    """A fresh request (random nonce unless ``nonce`` is given, expiry ``lifetime`` seconds
    from now), signed."""
    request = DataRequest(
        consumer=to_checksum_address(consumer),
        agreement_id=agreement_id,
        offer_id=offer_id,
        nonce=secrets.token_bytes(32) if nonce is None else nonce,
        expiry=(int(time.time()) if now is None else now) + lifetime,
        audience=audience,
    )
    return SignedRequest(request, signer(request.signable(chain_id, data_service)))
