"""The consumer side: send a signed request to a connector, verify what comes back.

The payload is checked three ways: its SHA-256 equals the digest the connector announced, the
digest the chain logged for the request id (``DataService.loggedDigest``, unbatched mode), and,
when the offer's data is notarized, a VALID Notary attestation of that digest by the provider
organisation. HTTP goes through ``requests`` (already pinned through web3.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from trustspace.crypto.hashing import hash_bytes, to_hex
from trustspace.dataspace.client import DataServiceClient
from trustspace.dataspace.request import SignedRequest
from trustspace.errors import TrustspaceError, UnreachableError

__all__ = [
    "FetchResult",
    "RefusedError",
    "VerificationError",
    "check_batch_proof",
    "fetch",
    "fetch_batch_proof",
    "verify_payload",
]


class RefusedError(TrustspaceError):
    """The connector refused the request (``code`` and ``reason`` from its answer)."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        """Keep the HTTP status and the connector's code and reason."""
        super().__init__(f"refused by the connector: {reason} ({code})")
        self.status = status
        self.code = code
        self.reason = reason


class VerificationError(TrustspaceError):
    """The payload does not match what was logged or attested."""


@dataclass(frozen=True)
class FetchResult:
    """A verified payload and what it was checked against."""

    payload: bytes
    digest: bytes
    request_id: bytes
    logged: str
    attested: bool | None

    def to_json(self) -> dict[str, Any]:
        """JSON form (without the payload)."""
        return {
            "digest": to_hex(self.digest),
            "size": len(self.payload),
            "requestId": to_hex(self.request_id),
            "logged": self.logged,
            "attested": self.attested,
        }


def fetch(
    url: str,
    signed: SignedRequest,
    client: DataServiceClient,
    *,
    notary: Any | None = None,
    require_attestation: bool = False,
    timeout: float = 30.0,
) -> FetchResult:
    """POST ``signed`` to ``url``/transfer and verify the payload; raise on refusal or mismatch."""
    try:
        response = requests.post(
            url.rstrip("/") + "/transfer",
            data=signed.body(),
            headers={"content-type": "application/json"},
            timeout=timeout,
        )
    except requests.RequestException as err:
        raise UnreachableError(
            f"cannot reach the connector at {url} ({type(err).__name__}): is `trustspace "
            "connector run` running?"
        ) from err
    if response.status_code != 200:
        try:
            doc = response.json()
            code, reason = str(doc["error"]), str(doc["reason"])
        except (ValueError, KeyError, TypeError):
            code, reason = "http", f"HTTP {response.status_code}"
        raise RefusedError(response.status_code, code, reason)
    return verify_payload(
        response.content, dict(response.headers), signed, client, notary, require_attestation
    )


def verify_payload(
    payload: bytes,
    headers: dict[str, str],
    signed: SignedRequest,
    client: DataServiceClient,
    notary: Any | None = None,
    require_attestation: bool = False,
) -> FetchResult:
    """Check a served payload against the announced and the logged digest (and attestation)."""
    lower = {k.lower(): v for k, v in headers.items()}
    digest = hash_bytes(payload)
    request_id = signed.request.request_id(client.chain_id, client.address)
    if lower.get("x-payload-digest", "").lower() != to_hex(digest):
        raise VerificationError("payload digest differs from the digest the connector announced")
    if lower.get("x-logged") == "batched":
        logged = "batched"
    else:
        on_chain = client.logged_digest(request_id)
        if on_chain is None:
            raise VerificationError("no transfer is logged on chain for this request")
        if on_chain != digest:
            raise VerificationError("payload digest differs from the digest logged on chain")
        logged = "logged"
    attested: bool | None = None
    if notary is not None:
        from trustspace.notary.tree import record_id

        provider = client.agreement(signed.request.agreement_id).provider_org
        attested = bool(notary.is_valid(record_id(digest, provider)))
        if require_attestation and not attested:
            raise VerificationError("payload is not attested (VALID) by the provider in the Notary")
    return FetchResult(payload, digest, request_id, logged, attested)


def fetch_batch_proof(url: str, request_id: bytes, timeout: float = 30.0) -> dict[str, Any] | None:
    """The connector's inclusion proof of a batched transfer (None until its batch is logged)."""
    try:
        response = requests.get(f"{url.rstrip('/')}/proof/{to_hex(request_id)}", timeout=timeout)
    except requests.RequestException as err:
        raise UnreachableError(
            f"cannot reach the connector at {url} ({type(err).__name__}): is `trustspace "
            "connector run` running?"
        ) from err
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise UnreachableError(f"connector at {url} answered HTTP {response.status_code}")
    proof: dict[str, Any] = response.json()
    return proof


def check_batch_proof(
    client: DataServiceClient, proof: dict[str, Any], payload_digest: bytes, request_id: bytes
) -> None:
    """Check a batched transfer: the record is ours (digest, request id) and the chain holds
    it in a logged batch of its agreement; :class:`VerificationError` otherwise."""
    from trustspace.crypto.hashing import from_hex
    from trustspace.dataspace.records import TransferRecord

    try:
        r = proof["record"]
        record = TransferRecord(
            int(r["agreementId"]),
            str(r["consumer"]),
            from_hex(r["payloadDigest"]),
            int(r["size"]),
            from_hex(r["requestId"]),
            int(r["time"]),
        )
        siblings = [from_hex(p) for p in proof["proof"]]
        root, index = from_hex(proof["root"]), int(proof["index"])
    except (KeyError, TypeError, ValueError) as err:
        raise VerificationError(f"malformed inclusion proof: {err}") from err
    if record.payload_digest != payload_digest or record.request_id != request_id:
        raise VerificationError("the proof is for another transfer")
    if not client.is_included(root, record, index, siblings):
        raise VerificationError("the transfer is not in a logged batch of its agreement")
