"""The provider's connector: serves a dataset to holders of a live agreement, logs every transfer.

:class:`Connector` holds the checks and the journal and knows nothing of HTTP, so that tests
call it directly; :func:`create_app` wraps it in a FastAPI application (a maintained ASGI
framework; served by uvicorn from ``trustspace connector run``). A request is refused, with one
reason, unless all of these hold, in this order:

1. the body is a well-formed request of at most :data:`MAX_BODY` bytes;
2. it names this connector (``audience``), is not expired and does not live longer than
   ``max_lifetime``;
3. its EIP-712 signature recovers to the ``consumer`` it names (else: forged);
4. its request id was never seen (SQLite journal; else: replayed);
5. on chain, now: the agreement exists, is this provider's, is for the requested offer, and its
   standing is LIVE (finalized, not terminated, both organisations live, within validity, count
   left — ``DataService.standing``);
6. the signer is an account of the agreement's consumer organisation (else: wrong organisation);
7. the connector's own policy checks: the agreement's purpose is permitted; for a policy that
   names a ``credentialType``, the request carries a presentation (``credential_missing``)
   which the credentials :class:`~trustspace.credentials.verifier.Verifier` of the hub finds
   valid for this connector's URL and the request's nonce (``credential_invalid:<reason>``),
   whose holder DID is the consumer organisation's DID on the hub (``Consortium.org_by_did``;
   ``credential_not_consumer``), which holds a credential of the type
   (``credential_wrong_type``) and whose nonce was not used before (``credential_replayed``).
   A connector with no hub verifier refuses such requests (``credential_unverifiable``).

Then the transfer is journaled, logged on chain (``logTransfer``, or queued for a batch) and
only then served; the response carries the payload digest and the request id, which the
consumer checks against ``DataService.loggedDigest``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from trustspace.crypto.hashing import hash_bytes, keccak, to_hex
from trustspace.dataspace.client import STANDING_REASONS, DataServiceClient, Standing, State
from trustspace.dataspace.journal import Journal, ReplayError
from trustspace.dataspace.policy import Policy
from trustspace.dataspace.records import TransferRecord, batch_tree
from trustspace.dataspace.request import RequestError, SignedRequest
from trustspace.did.resolver import parse_did

__all__ = ["MAX_BODY", "Connector", "Dataset", "Reply", "create_app", "serve_in_background"]

#: Largest request body read (a request is ~600 bytes, a presentation a few KiB).
MAX_BODY = 32768


@dataclass(frozen=True)
class Dataset:
    """A dataset the connector serves for an offer, and the offer's full policy."""

    offer_id: int
    path: Path
    policy: Policy | None = None
    #: The policies of older offer versions, by version: an agreement made under version v is
    #: checked against ``older[v]`` when given, else against ``policy`` (the latest).
    older: dict[int, Policy] = field(default_factory=dict)

    def policy_for(self, version: int) -> Policy | None:
        """The policy an agreement made under offer ``version`` is checked against."""
        return self.older.get(version, self.policy)


@dataclass(frozen=True)
class Reply:
    """What the connector answers: a status, a body and headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def refuse(cls, status: int, code: str, reason: str) -> Reply:
        """A refusal as a JSON body ``{"error": code, "reason": reason}``."""
        body = json.dumps({"error": code, "reason": reason}).encode()
        return cls(status, body, {"content-type": "application/json"})

    @property
    def error(self) -> dict[str, Any] | None:
        """The refusal document, None for a served payload."""
        if self.status == 200:
            return None
        doc: dict[str, Any] = json.loads(self.body)
        return doc


class Connector:
    """Checks, journal and transfer log of one provider's connector."""

    def __init__(
        self,
        client: DataServiceClient,
        account: Any,
        audience: str,
        datasets: dict[int, Dataset],
        journal: Journal,
        *,
        max_lifetime: int = 300,
        batch_size: int = 0,
        clock: Callable[[], float] = time.time,
        verifier: Any | None = None,
    ) -> None:
        """``account`` sends the logs (NOTARY of the provider); ``batch_size`` 0 logs each;
        ``verifier`` (a :class:`~trustspace.credentials.verifier.Verifier` over the hub) checks
        the presentations that policies naming a credential type require."""
        self.client = client
        self.account = account
        self.audience = audience
        self.datasets = datasets
        self.journal = journal
        self.max_lifetime = max_lifetime
        self.batch_size = batch_size
        self.clock = clock
        self.verifier = verifier
        self.chain_id = client.chain_id
        self.provider_org = client.org_of(account)
        # One chain conversation at a time: the log transactions share the account's nonce.
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- the request path

    def handle(self, body: bytes) -> Reply:
        """Check a request body and serve (and log) the dataset, or refuse with one reason."""
        if len(body) > MAX_BODY:
            return Reply.refuse(413, "too_large", f"request body over {MAX_BODY} bytes")
        try:
            signed = SignedRequest.from_json(json.loads(body))
        except (ValueError, RecursionError, RequestError) as err:
            # RecursionError: deeply nested JSON, which the json module refuses by recursing.
            reason = str(err) if isinstance(err, RequestError) else "request is not JSON"
            return Reply.refuse(400, "malformed", reason)
        req = signed.request
        now = int(self.clock())
        if req.audience != self.audience:
            return Reply.refuse(
                401,
                "wrong_audience",
                f"request is for another connector: this connector is {self.audience} (sign "
                f"for it: --connector {self.audience})",
            )
        if req.expiry < now:
            return Reply.refuse(401, "request_expired", "request expired")
        if req.expiry > now + self.max_lifetime:
            return Reply.refuse(
                401, "request_too_long", f"request lives over {self.max_lifetime} s"
            )
        signer = signed.signer(self.chain_id, self.client.address)
        if signer is None or signer.lower() != req.consumer.lower():
            return Reply.refuse(401, "forged", "signature does not match the consumer")
        request_id = req.request_id(self.chain_id, self.client.address)
        try:
            self.journal.claim(request_id, req.agreement_id, req.consumer, now, req.expiry)
        except ReplayError:
            return Reply.refuse(409, "replayed", "request already used")
        with self._lock:
            try:
                refusal = self._check_chain(signed)
            except Exception as err:  # any chain failure is "try later"
                self.journal.refuse(request_id, "chain unreachable")
                return Reply.refuse(503, "unreachable", f"chain unreachable: {type(err).__name__}")
            if refusal is not None:
                self.journal.refuse(request_id, refusal.error["reason"] if refusal.error else "")
                return refusal
            payload = self.datasets[req.offer_id].path.read_bytes()
            digest = hash_bytes(payload)
            record = TransferRecord(
                req.agreement_id, req.consumer, digest, len(payload), request_id, now
            )
            logged = self._log(record)
        if logged is not None:
            return logged
        headers = {
            "content-type": "application/octet-stream",
            "x-payload-digest": to_hex(digest),
            "x-request-id": to_hex(request_id),
            "x-transfer-time": str(now),
            "x-logged": "batched" if self.batch_size else "logged",
        }
        return Reply(200, payload, headers)

    def _check_chain(self, signed: SignedRequest) -> Reply | None:
        req = signed.request
        agreement = self.client.agreement(req.agreement_id)
        if agreement.state == State.NONE:
            return Reply.refuse(404, "no_agreement", STANDING_REASONS[Standing.UNKNOWN])
        if agreement.provider_org != self.provider_org:
            return Reply.refuse(403, "not_provider", "agreement is with another provider")
        if agreement.offer_id != req.offer_id or req.offer_id not in self.datasets:
            return Reply.refuse(404, "wrong_offer", "agreement is not for this offer")
        standing = self.client.standing(req.agreement_id)
        if standing == Standing.LIVE and self.batch_size:
            standing = self._batched_standing(agreement.offer_id, agreement.offer_version, req)
        if standing != Standing.LIVE:
            return Reply.refuse(403, standing.name.lower(), STANDING_REASONS[standing])
        if self.client.org_of(req.consumer) != agreement.consumer_org:
            return Reply.refuse(
                403, "wrong_organisation", "signer is not an account of the consumer organisation"
            )
        policy = self.datasets[req.offer_id].policy_for(agreement.offer_version)
        if policy is not None:
            if not any(keccak(p.encode()) == agreement.purpose_hash for p in policy.purposes):
                return Reply.refuse(403, "purpose", "agreement purpose not permitted by the policy")
            if policy.credential_type is not None:
                return self._check_credential(signed, policy.credential_type, agreement)
        return None

    def _check_credential(
        self, signed: SignedRequest, type_name: str, agreement: Any
    ) -> Reply | None:
        """The presentation the policy requires: bound to this request, valid on the hub, held
        by the consumer organisation's DID, holding a credential of ``type_name``."""
        req = signed.request
        if signed.presentation is None:
            return Reply.refuse(
                403, "credential_missing", f"policy requires a {type_name} credential presentation"
            )
        if self.verifier is None:
            return Reply.refuse(
                403, "credential_unverifiable", "connector has no hub to verify credentials"
            )
        verdict = self.verifier.verify_presentation(
            signed.presentation, self.audience, req.presentation_nonce()
        )
        if not verdict.valid:
            message = verdict.as_dict()["message"]
            return Reply.refuse(
                403, f"credential_invalid:{verdict.reason.name.lower()}", f"presentation: {message}"
            )
        holder_org = int(
            self.verifier.consortium.org_by_did(parse_did(str(verdict.issuer)).address)
        )
        if holder_org != agreement.consumer_org:
            return Reply.refuse(
                403,
                "credential_not_consumer",
                "presentation holder is not the consumer organisation's DID",
            )
        if not any(c.credential_type == type_name for c in verdict.credentials):
            return Reply.refuse(
                403, "credential_wrong_type", f"presentation holds no {type_name} credential"
            )
        # Claimed last (under the connector's lock): a presentation that failed a check does
        # not burn its nonce, one that passed is used once.
        try:
            self.journal.claim_presentation(
                req.nonce, req.request_id(self.chain_id, self.client.address)
            )
        except ReplayError:
            return Reply.refuse(409, "credential_replayed", "presentation nonce already used")
        return None

    def _batched_standing(self, offer_id: int, version: int, req: Any) -> Standing:
        """Count transfers served but not yet on chain against the maximum."""
        max_transfers = int(self.client.contract.terms(offer_id, version).maxTransfers)
        if not max_transfers:
            return Standing.LIVE
        agreement = self.client.agreement(req.agreement_id)
        waiting = self.journal.count("queued", req.agreement_id) + self.journal.count(
            "batched", req.agreement_id
        )
        return (
            Standing.EXHAUSTED if agreement.transfers + waiting >= max_transfers else Standing.LIVE
        )

    def _log(self, record: TransferRecord) -> Reply | None:
        """Journal then log one transfer; a Reply only when logging failed."""
        rid = record.request_id
        if self.batch_size:
            self.journal.prepare(rid, record.payload_digest, record.size, "queued")
            if self.journal.count("queued", record.agreement_id) >= self.batch_size:
                self._flush_agreement(record.agreement_id)
            return None
        self.journal.prepare(rid, record.payload_digest, record.size, "pending")
        try:
            transfer_no, _ = self.client.log_transfer(record, sender=self.account)
        except Exception as err:  # reconciled below, then reported
            if self._logged_on_chain(rid):
                return None
            self.journal.refuse(rid, f"log failed: {type(err).__name__}")
            return Reply.refuse(503, "log_failed", "transfer could not be logged; not served")
        self.journal.mark_logged(rid, transfer_no)
        return None

    def _logged_on_chain(self, request_id: bytes) -> bool:
        if self.client.logged_digest(request_id) is None:
            return False
        self.journal.mark_logged(request_id, None)
        return True

    # ---------------------------------------------------------------- batches and recovery

    def proof(self, request_id: bytes) -> dict[str, Any] | None:
        """The inclusion proof of a batched transfer (None until its batch is logged).

        ``{"record": …, "root", "index", "count", "proof": [hex…]}``: the consumer checks it
        with ``DataService.isTransferIncluded`` (or :func:`trustspace.notary.tree.verify`)."""
        mine = [e for e in self.journal.entries("logged") if e.request_id == request_id]
        if not mine or mine[0].batch_root is None or mine[0].batch_index is None:
            return None
        entry, index = mine[0], mine[0].batch_index
        batch = [e for e in self.journal.entries("logged") if e.batch_root == entry.batch_root]
        tree = batch_tree([_record(e) for e in sorted(batch, key=lambda e: e.batch_index or 0)])
        return {
            "record": _record(entry).to_json(),
            "root": to_hex(tree.root),
            "index": index,
            "count": tree.size,
            "proof": [to_hex(p) for p in tree.proof(index)],
        }

    def flush(self) -> int:
        """Log every queued transfer in one batch per agreement; returns the number logged."""
        with self._lock:
            done = self._resend_batches()
            agreements = {e.agreement_id for e in self.journal.entries("queued")}
            return done + sum(self._flush_agreement(a) for a in sorted(agreements))

    def _resend_batches(self) -> int:
        """Batches bound to a root whose transaction may not have landed: same records again
        (the chain says whether the root is there; it refuses a root twice)."""
        batched: dict[tuple[int, bytes], list[TransferRecord]] = {}
        for e in self.journal.entries("batched"):
            assert e.batch_root is not None
            batched.setdefault((e.agreement_id, e.batch_root), []).append(_record(e))
        return sum(self._send_batch(a, root, records) for (a, root), records in batched.items())

    def _flush_agreement(self, agreement_id: int) -> int:
        entries = self.journal.entries("queued", agreement_id)
        if not entries:
            return 0
        records = [_record(e) for e in entries]
        tree = batch_tree(records)
        self.journal.assign_batch(agreement_id, [e.request_id for e in entries], tree.root)
        return self._send_batch(agreement_id, tree.root, records)

    def _send_batch(self, agreement_id: int, root: bytes, records: list[TransferRecord]) -> int:
        if self.client.batch_count(agreement_id, root) == 0:
            self.client.log_batch(agreement_id, records, sender=self.account)
        self.journal.mark_batch_logged(root)
        return len(records)

    def recover(self) -> dict[str, int]:
        """After a restart: finish what the journal promised, without logging anything twice.

        ``pending`` entries whose request id is on chain are marked logged; the others were
        never served (a transfer is served only after its log), so they are refused. Batches
        whose root is on chain are marked logged, the others sent again with the same records;
        queued transfers (served, not batched yet) are batched.
        """
        done = {"pending_logged": 0, "pending_dropped": 0, "batches_resent": 0, "queued": 0}
        with self._lock:
            for e in self.journal.entries("pending"):
                if e.payload is not None and self._logged_on_chain(e.request_id):
                    done["pending_logged"] += 1
                else:
                    self.journal.refuse(e.request_id, "connector restarted before logging")
                    done["pending_dropped"] += 1
            roots = {e.batch_root for e in self.journal.entries("batched")}
            self._resend_batches()
            done["batches_resent"] = len(roots)
            agreements = {e.agreement_id for e in self.journal.entries("queued")}
            for a in sorted(agreements):
                done["queued"] += self._flush_agreement(a)
        return done


def _record(e: Any) -> TransferRecord:
    return TransferRecord(e.agreement_id, e.consumer, e.payload, e.size, e.request_id, e.time)


def create_app(connector: Connector) -> Any:
    """The FastAPI application: ``POST /transfer`` (the request), ``GET /proof/<request id>``
    (a batched transfer's inclusion proof), ``GET /health``."""
    app = FastAPI(title="trustspace connector", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "audience": connector.audience, "offers": sorted(connector.datasets)}

    @app.get("/proof/{request_id}")
    def proof(request_id: str) -> Response:
        try:
            rid = bytes.fromhex(request_id.removeprefix("0x"))
        except ValueError:
            rid = b""
        found = connector.proof(rid) if len(rid) == 32 else None
        if found is None:
            reply = Reply.refuse(404, "no_proof", "no logged batch holds this request id")
            return Response(reply.body, status_code=404, headers=reply.headers)
        return Response(json.dumps(found), headers={"content-type": "application/json"})

    @app.post("/transfer")
    async def transfer(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            reply = Reply.refuse(413, "too_large", f"request body over {MAX_BODY} bytes")
        else:
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    break
            # The checks block on the chain: run them off the event loop.
            reply = await run_in_threadpool(connector.handle, body)
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    return app


@contextmanager
def serve_in_background(connector: Connector, port: int) -> Iterator[str]:
    """Serve ``connector`` on 127.0.0.1:``port`` from a thread of this process, for as long as
    the block runs; yields its URL once it listens (the demo, bench and tests; operators run
    ``trustspace connector run``)."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(create_app(connector), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
