"""Verify credentials and presentations against the hub: DID documents, trusted issuers,
schemas and status.

The order of checks, each failing with its own :class:`~trustspace.credentials.model.Reason`:
form (timestamps in range, size and nesting bounded) → signature (a key of the issuer's DID
document *now*, as did-jwt-vc checks it, told apart from a key that was live at issuance and no
longer is, and also a key of the document at issuance, so a later delegate cannot backdate) →
issuer is a consortium organisation, live now → schema registered for the type → issuer
accredited for type and schema at issuance (``iat``) → validity period → claims match the JSON
Schema → status (revocation, suspension) on chain, or from a published status-list credential
that is the entry's list and no older than allowed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from jwcrypto.common import JWException
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from trustspace.credentials import jws
from trustspace.credentials.model import (
    SCHEMA_PREFIX,
    CredentialError,
    Purpose,
    Reason,
    Verdict,
    type_hash,
)
from trustspace.credentials.schemas import SchemaStore, schema_errors
from trustspace.credentials.status import StatusEntry, bit_at, decode_list
from trustspace.did.resolver import Resolver, parse_did
from trustspace.errors import InputError

__all__ = ["MAX_CREDENTIALS", "MAX_TIME", "STATUS_LIST_TYPE", "Failure", "Verifier", "addresses_in"]


class Failure(Exception):
    """A check failed: carries its reason (internal to this module's flow)."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.detail = detail


def addresses_in(document: dict[str, Any] | None) -> set[str]:
    """The addresses of every key a did:ethr document lists (``blockchainAccountId``)."""
    found = set()
    for vm in (document or {}).get("verificationMethod", []):
        account = vm.get("blockchainAccountId")
        if isinstance(account, str):
            found.add(account.split(":")[-1].lower())
    return found


#: Timestamps a token may carry: seconds since 1970 before the year 10000 (below 2**40, and
#: within what ``datetime`` and the resolver's ISO times hold); anything else is malformed
#: rather than an overflow deep in a check.
MAX_TIME = 253_402_300_800
#: Most credentials one presentation may carry.
MAX_CREDENTIALS = 16
#: The ``type`` a published status-list credential carries (W3C Bitstring Status List).
STATUS_LIST_TYPE = "BitstringStatusListCredential"


def _iso(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _require_binding(audience: str, nonce: str) -> None:
    # sd-jwt 0.10.4 checks the key-binding JWT only when an audience or a nonce is expected,
    # and a VP made for "" would match an empty one: without both there is no binding to check.
    if not audience or not nonce:
        raise Failure(Reason.NO_KEY_BINDING, "no audience or nonce to check the binding against")


class _KeyBoundVerifier(SDJWTVerifier):  # type: ignore[misc]
    # sd-jwt 0.10.4 checks the key-binding JWT with its default alg (ES256) whatever the
    # holder key is; the holder's cnf key here is secp256k1, so pass the header's alg.
    def _verify_key_binding_jwt(
        self, expected_aud: Any = None, expected_nonce: Any = None, sign_alg: Any = None
    ) -> None:
        header = json.loads(jws.b64url_decode(self._unverified_input_key_binding_jwt.split(".")[0]))
        super()._verify_key_binding_jwt(expected_aud, expected_nonce, sign_alg=header.get("alg"))


class Verifier:
    """Verifies against one hub: its DID registry (through ``resolver``), its Consortium
    (``org_by_did``) and its CredentialRegistry (schemas, accreditations, status).

    ``registry`` None means no chain access for status: ``status_lists`` (URI → published
    status-list credential JWT) are read instead and their age is reported, failing when
    older than ``max_status_age`` seconds. ``now`` defaults to the chain's latest block
    time, the clock the resolver uses too.
    """

    def __init__(
        self,
        resolver: Resolver,
        consortium: Any,
        trust_registry: Any,
        schemas: SchemaStore,
        status_registry: Any | None = None,
        status_lists: dict[str, str] | None = None,
        max_status_age: int = 86_400,
        now: Callable[[], int] | None = None,
    ) -> None:
        self.resolver = resolver
        self.consortium = consortium
        self.trust = trust_registry
        self.schemas = schemas
        self.status_registry = status_registry
        self.status_lists = dict(status_lists or {})
        self.max_status_age = max_status_age
        source = resolver.source_for(None)
        self.now: Callable[[], int] = now or (
            lambda: int(source.block_timestamp(source.latest_block()))
        )

    # ------------------------------------------------------------------ credentials
    def verify_credential(self, token: str) -> Verdict:
        """Verify a VC JWT; the verdict names the first failing check."""
        verdict = Verdict(Reason.VALID)
        try:
            self._credential(token, verdict)
        except Failure as failed:
            verdict.reason, verdict.detail = failed.reason, failed.detail
        return verdict

    def _credential(self, token: str, verdict: Verdict) -> dict[str, Any]:
        try:
            decoded = jws.decode(token)
        except InputError as err:
            raise Failure(Reason.MALFORMED, str(err)) from err
        p = decoded.payload
        vc = p.get("vc")
        if not isinstance(vc, dict) or not isinstance(p.get("iss"), str):
            raise Failure(Reason.MALFORMED, "no vc claim or issuer")
        verdict.issuer = p["iss"]
        types = [t for t in vc.get("type", []) if t != "VerifiableCredential"]
        verdict.credential_type = types[-1] if types else None
        subject = vc.get("credentialSubject")
        if not isinstance(subject, dict) or verdict.credential_type is None:
            raise Failure(Reason.MALFORMED, "no credential type or subject")
        verdict.subject = dict(subject)
        iat = self._times(p)
        self.check_signer(decoded, p["iss"], iat)
        self._trust_and_status(p, vc, verdict.credential_type, subject, iat, verdict)
        return p

    def _trust_and_status(
        self,
        p: dict[str, Any],
        vc: dict[str, Any],
        type_name: str,
        subject: dict[str, Any],
        iat: int,
        verdict: Verdict,
        partial: bool = False,
    ) -> None:
        org = self._org_of(p["iss"])
        # The hub's word on an organisation holds everywhere: a suspended or removed agency's
        # credentials stop verifying, as its notarized records do.
        if not self.consortium.is_org_live(org):
            raise Failure(Reason.ISSUER_NOT_LIVE, f"organisation {org}")
        schema_ref = vc.get("credentialSchema")
        sid = schema_ref.get("id") if isinstance(schema_ref, dict) else None
        if not isinstance(sid, str) or not sid.startswith(SCHEMA_PREFIX):
            raise Failure(Reason.UNKNOWN_SCHEMA, "no credentialSchema of this registry")
        try:
            shash = bytes.fromhex(sid.removeprefix(SCHEMA_PREFIX).removeprefix("0x"))
        except ValueError as err:
            raise Failure(Reason.UNKNOWN_SCHEMA, sid) from err
        if len(shash) != 32:  # a keccak256 hash; any other length is no registered schema
            raise Failure(Reason.UNKNOWN_SCHEMA, sid)
        thash = type_hash(type_name)
        if bytes(self.trust.schema_type(shash)) != thash:
            raise Failure(Reason.UNKNOWN_SCHEMA, f"{sid} for {type_name}")
        if not self.trust.accredited_at(org, thash, shash, iat):
            raise Failure(Reason.NOT_ACCREDITED, f"{type_name} at {_iso(iat)}")
        now = self.now()
        nbf, exp = p.get("nbf", iat), p.get("exp")
        if isinstance(nbf, int) and nbf > now:
            raise Failure(Reason.NOT_YET_VALID, f"valid from {_iso(nbf)}")
        if isinstance(exp, int) and exp <= now:
            raise Failure(Reason.EXPIRED, f"valid until {_iso(exp)}")
        schema = self.schemas.get(sid)
        if schema is None:
            raise Failure(
                Reason.UNKNOWN_SCHEMA, f"schema document {sid} not known to this verifier"
            )
        if partial:  # selective disclosure: hidden claims are not missing ones
            schema = {k: v for k, v in schema.items() if k != "required"}
        errors = schema_errors(schema, subject)
        if errors:
            raise Failure(Reason.SCHEMA_VIOLATION, errors[0])
        self._check_status(vc.get("credentialStatus"), p["iss"], verdict)

    def _int(self, p: dict[str, Any], name: str) -> int:
        """The timestamp claim ``name``: an integer in ``0 <= t < MAX_TIME``, else MALFORMED."""
        value = p.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise Failure(Reason.MALFORMED, f"no {name}")
        if not 0 <= value < MAX_TIME:
            raise Failure(Reason.MALFORMED, f"{name} out of range")
        return value

    def _times(self, p: dict[str, Any]) -> int:
        """``iat``, and ``nbf`` / ``exp`` when present, checked as timestamps; returns ``iat``."""
        for name in ("nbf", "exp"):
            if name in p:
                self._int(p, name)
        return self._int(p, "iat")

    # ------------------------------------------------------------------ keys and issuers
    def check_signer(self, decoded: jws.DecodedJWS, did: str, iat: int) -> None:
        """The signature is by a key the DID document lists now (and was live at ``iat``)."""
        signers = {a.lower() for a in jws.recover_addresses(decoded)}
        self.check_address(signers, did, iat)

    def check_address(self, signers: set[str], did: str, iat: int) -> None:
        """One of ``signers`` is a key of ``did`` now *and* was one at ``iat``; tells why not.

        A key live now but not at issuance is refused (``KEY_NOT_LIVE_AT_ISSUANCE``): else an
        organisation whose accreditation was withdrawn could add a delegate and sign
        credentials dated back into its accredited interval.
        """
        try:
            now_doc = self.resolver.resolve(did)
        except InputError as err:
            raise Failure(Reason.UNKNOWN_ISSUER, str(err)) from err
        if now_doc.document_metadata.get("deactivated"):
            raise Failure(Reason.DEACTIVATED, did)
        if not signers:
            raise Failure(Reason.BAD_SIGNATURE)
        try:
            then_keys = addresses_in(self.resolver.resolve(did, at_time=_iso(iat)).document)
        except InputError:
            then_keys = set()
        if signers & addresses_in(now_doc.document):
            if signers & then_keys:
                return
            raise Failure(
                Reason.KEY_NOT_LIVE_AT_ISSUANCE, f"key {sorted(signers)[0]} at {_iso(iat)}"
            )
        if signers & then_keys:
            raise Failure(Reason.KEY_NOT_LIVE, f"key {sorted(signers)[0]}")
        raise Failure(Reason.BAD_SIGNATURE)

    def _org_of(self, did: str) -> int:
        org = int(self.consortium.org_by_did(parse_did(did).address))
        if org == 0:
            raise Failure(Reason.UNKNOWN_ISSUER, did)
        return org

    # ------------------------------------------------------------------ status
    def _check_status(self, entries: Any, issuer: str, verdict: Verdict) -> None:
        if not isinstance(entries, list) or not entries:
            raise Failure(Reason.STATUS_UNKNOWN, "no credentialStatus")
        for raw in entries:
            try:
                entry = StatusEntry.from_json(raw)
            except CredentialError as err:
                raise Failure(Reason.STATUS_UNKNOWN, str(err)) from err
            if self._entry_set(entry, issuer, verdict):
                reason = Reason.REVOKED if entry.purpose is Purpose.REVOCATION else Reason.SUSPENDED
                raise Failure(reason, f"list {entry.list_id} entry {entry.index}")

    def _entry_set(self, entry: StatusEntry, issuer: str, verdict: Verdict) -> bool:
        if self.status_registry is not None:
            chain_id = self.resolver.source_for(None).chain_id
            if entry.chain_id != chain_id:
                raise Failure(
                    Reason.STATUS_UNKNOWN, f"status kept on chain {entry.chain_id}, not {chain_id}"
                )
            if entry.registry.lower() != str(self.status_registry.address).lower():
                raise Failure(
                    Reason.STATUS_UNKNOWN, f"status kept by another registry {entry.registry}"
                )
            org, purpose, capacity = self.status_registry.list_info(entry.list_id)
            if (
                int(org) != self._org_of(issuer)
                or int(purpose) != entry.purpose
                or entry.index >= int(capacity)
            ):
                raise Failure(
                    Reason.STATUS_UNKNOWN,
                    f"list {entry.list_id} is not the issuer's {entry.purpose.label} list",
                )
            return bool(self.status_registry.status(entry.list_id, entry.index))
        token = self.status_lists.get(entry.list_credential)
        if token is None:
            raise Failure(Reason.STATUS_UNKNOWN, f"no status list {entry.list_credential}")
        try:
            decoded = jws.decode(token)
        except InputError as err:
            raise Failure(Reason.STATUS_UNKNOWN, str(err)) from err
        p = decoded.payload
        if p.get("iss") != issuer:
            raise Failure(Reason.STATUS_UNKNOWN, "status list signed by another issuer")
        try:
            self.check_signer(decoded, issuer, self._times(p))
        except Failure as failed:  # the list is unusable; the credential is not at fault
            raise Failure(Reason.STATUS_UNKNOWN, f"status list: {failed.reason.value}") from failed
        # The list must be the one the entry names, and a status list at all: else a list of
        # the issuer's that shows nothing set, or any credential of its with a clean
        # ``encodedList`` claim, would stand in for it.
        vc = p.get("vc")
        subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
        types = vc.get("type") if isinstance(vc, dict) else None
        if p.get("jti") != entry.list_credential:
            raise Failure(Reason.STATUS_UNKNOWN, f"status list is not {entry.list_credential}")
        if not isinstance(types, list) or STATUS_LIST_TYPE not in types:
            raise Failure(Reason.STATUS_UNKNOWN, f"not a {STATUS_LIST_TYPE}")
        if not isinstance(subject, dict) or subject.get("statusPurpose") != entry.purpose.label:
            raise Failure(Reason.STATUS_UNKNOWN, "status list of another purpose")
        now = self.now()
        age = now - self._int(p, "iat")
        if age < 0:
            raise Failure(Reason.STATUS_UNKNOWN, f"status list issued {-age} s in the future")
        verdict.status_age = max(age, verdict.status_age or 0)
        exp = p.get("exp")  # checked as a timestamp when present; a list without one may last
        if age > self.max_status_age or (exp is not None and exp <= now):
            raise Failure(
                Reason.STATUS_STALE, f"{age} s old, at most {self.max_status_age} s allowed"
            )
        try:
            return bit_at(decode_list(str(subject.get("encodedList", ""))), entry.index)
        except CredentialError as err:
            raise Failure(Reason.STATUS_UNKNOWN, str(err)) from err

    # ------------------------------------------------------------------ presentations
    def verify_presentation(self, token: str, audience: str, nonce: str) -> Verdict:
        """Verify a VP JWT made for ``audience`` and ``nonce``, and every credential in it."""
        verdict = Verdict(Reason.VALID)
        try:
            _require_binding(audience, nonce)
            try:
                decoded = jws.decode(token)
            except InputError as err:
                raise Failure(Reason.MALFORMED, str(err)) from err
            p = decoded.payload
            vp = p.get("vp")
            holder = p.get("iss")
            if not isinstance(vp, dict) or not isinstance(holder, str):
                raise Failure(Reason.MALFORMED, "no vp claim or holder")
            verdict.issuer = holder
            self.check_signer(decoded, holder, self._times(p))
            if p.get("aud") != audience:
                raise Failure(Reason.WRONG_AUDIENCE, f"made for {p.get('aud')}")
            if p.get("nonce") != nonce:
                raise Failure(Reason.WRONG_NONCE)
            creds = vp.get("verifiableCredential")
            if not isinstance(creds, list) or not creds:
                raise Failure(Reason.MALFORMED, "no credentials")
            if len(creds) > MAX_CREDENTIALS:
                raise Failure(Reason.MALFORMED, f"more than {MAX_CREDENTIALS} credentials")
            for cred in creds:
                inner = self.verify_credential(str(cred))
                verdict.credentials.append(inner)
                if inner.status_age is not None:
                    verdict.status_age = max(verdict.status_age or 0, inner.status_age)
                if not inner.valid:
                    raise Failure(inner.reason, inner.detail)
                if jws.decode(str(cred)).payload.get("sub") != holder:
                    raise Failure(
                        Reason.HOLDER_MISMATCH, f"{holder} presents another subject's credential"
                    )
        except Failure as failed:
            verdict.reason, verdict.detail = failed.reason, failed.detail
        return verdict

    def verify_sd_jwt(self, presentation: str, audience: str, nonce: str) -> Verdict:
        """Verify an SD-JWT VC presentation with key binding for ``audience`` and ``nonce``."""
        verdict = Verdict(Reason.VALID)
        try:
            _require_binding(audience, nonce)
            payload = self._sd_jwt(presentation, audience, nonce)
            verdict.issuer, verdict.credential_type = payload.get("iss"), payload.get("vct")
            subject = {k: v for k, v in payload.items() if k not in _SD_REGISTERED}
            verdict.subject = subject
            vc = {
                "credentialSchema": payload.get("credentialSchema"),
                "credentialStatus": payload.get("credentialStatus"),
            }
            self._trust_and_status(
                payload,
                vc,
                str(payload.get("vct")),
                subject,
                self._times(payload),
                verdict,
                partial=True,
            )
        except Failure as failed:
            verdict.reason, verdict.detail = failed.reason, failed.detail
        return verdict

    def _sd_jwt(self, presentation: str, audience: str, nonce: str) -> dict[str, Any]:
        if len(presentation) > jws.MAX_TOKEN:
            raise Failure(Reason.MALFORMED, f"presentation longer than {jws.MAX_TOKEN} characters")
        parts = presentation.split("~")
        if len(parts) < 2 or not parts[-1]:
            raise Failure(Reason.NO_KEY_BINDING, "no key-binding JWT")
        try:
            head = jws.decode(parts[0])
        except InputError as err:
            raise Failure(Reason.MALFORMED, str(err)) from err
        iss, iat = head.payload.get("iss"), self._times(head.payload)
        if not isinstance(iss, str):
            raise Failure(Reason.MALFORMED, "no issuer")

        def issuer_key(_issuer: str, header: dict[str, Any]) -> JWK:
            try:
                key = JWK(**header["jwk"])
                raw = key.export_public(as_dict=True)
                pub = jws.b64url_decode(raw["x"]) + jws.b64url_decode(raw["y"])
            except (KeyError, TypeError, ValueError, JWException) as err:
                raise Failure(Reason.BAD_SIGNATURE, "no issuer key in the header") from err
            from eth_keys import keys

            self.check_address({keys.PublicKey(pub).to_checksum_address().lower()}, iss, iat)
            return key

        try:
            checked = _KeyBoundVerifier(presentation, issuer_key, audience, nonce)
            payload: dict[str, Any] = checked.get_verified_payload()
        except Failure:
            raise
        except JWException as err:
            raise Failure(Reason.BAD_SIGNATURE, str(err)) from err
        except RecursionError as err:  # a disclosure nested deeper than the JSON parser goes
            raise Failure(Reason.MALFORMED, "nested too deeply") from err
        except (ValueError, KeyError, TypeError) as err:
            text = str(err)
            if "audience" in text:
                raise Failure(Reason.WRONG_AUDIENCE) from err
            if "nonce" in text:
                raise Failure(Reason.WRONG_NONCE) from err
            if "digest" in text.lower() or "disclosure" in text.lower():
                raise Failure(Reason.TAMPERED_DISCLOSURE, text) from err
            raise Failure(Reason.MALFORMED, text) from err
        return payload


_SD_REGISTERED = {
    "iss",
    "iat",
    "nbf",
    "exp",
    "vct",
    "cnf",
    "credentialSchema",
    "credentialStatus",
    "sub",
    "_sd_alg",
}
