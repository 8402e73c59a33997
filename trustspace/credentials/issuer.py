"""Issue credentials: W3C VC (data model 1.1, JWT form) and SD-JWT VC, signed ES256K.

The signing key is a clerk's: a live ``veriKey`` (or ``sigAuth``) delegate of the agency's
DID on the hub's DID registry, so no one signs with the organisation's owner key. The VC
1.1 JWT form is the one did-jwt-vc (the did:ethr ecosystem's verifier) accepts; see
docs/credentials.md for why not 2.0.
"""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer

from trustspace.credentials import jws
from trustspace.credentials.model import SD_JWT_TYP, STATUS_CONTEXT, VC_CONTEXT, CredentialError
from trustspace.credentials.schemas import schema_errors, schema_id
from trustspace.credentials.status import StatusEntry, list_credential_payload

__all__ = ["issue_jwt", "issue_sd_jwt", "jwk_of", "publish_status_list"]


def _claims(
    issuer: str,
    subject: str,
    type_name: str,
    schema: dict[str, Any],
    status: list[StatusEntry],
    issued_at: int,
    valid_from: int,
    valid_until: int,
) -> dict[str, Any]:
    if not valid_from < valid_until:
        raise CredentialError("validFrom must come before validUntil")
    return {
        "iss": issuer,
        "sub": subject,
        "jti": f"urn:uuid:{uuid.uuid4()}",
        "iat": issued_at,
        "nbf": valid_from,
        "exp": valid_until,
        "vc": {
            "@context": [VC_CONTEXT, STATUS_CONTEXT],
            "type": ["VerifiableCredential", type_name],
            "credentialSchema": {"id": schema_id(schema), "type": "JsonSchema"},
            "credentialStatus": [e.as_json() for e in status],
        },
    }


def issue_jwt(
    signer: Any,
    issuer: str,
    subject: str,
    type_name: str,
    claims: dict[str, Any],
    schema: dict[str, Any],
    status: list[StatusEntry],
    issued_at: int,
    valid_from: int,
    valid_until: int,
    alg: str = "ES256K",
) -> str:
    """A VC JWT: ``claims`` about ``subject`` (a DID), checked against ``schema`` first."""
    errors = schema_errors(schema, claims)
    if errors:
        raise CredentialError(f"claims do not match the schema: {errors[0]}")
    payload = _claims(
        issuer, subject, type_name, schema, status, issued_at, valid_from, valid_until
    )
    payload["vc"]["credentialSubject"] = dict(claims)
    return jws.sign(payload, signer, alg=alg)


def jwk_of(private_key: str | bytes) -> JWK:
    """A jwcrypto secp256k1 JWK of a raw private key (for SD-JWT signing and key binding)."""
    raw = (
        bytes.fromhex(private_key.removeprefix("0x"))
        if isinstance(private_key, str)
        else private_key
    )
    return JWK.from_pyca(ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256K1()))


def issue_sd_jwt(
    private_key: str | bytes,
    issuer: str,
    holder_key: JWK,
    type_name: str,
    claims: dict[str, Any],
    disclosable: list[str],
    schema: dict[str, Any],
    status: list[StatusEntry],
    issued_at: int,
    valid_from: int,
    valid_until: int,
) -> str:
    """An SD-JWT VC (RFC 9901 + SD-JWT VC) whose ``disclosable`` claims the holder may hide.

    Made with the OpenWallet Foundation's ``sd-jwt`` library; the issuer's public key rides
    in the header (``jwk``) because a did:ethr document names keys by address only: the
    verifier accepts it only if its address is a live key of the issuer's DID. ``cnf``
    binds the holder's key, which signs the key-binding JWT of each presentation.
    """
    unknown = set(disclosable) - set(claims)
    if unknown:
        raise CredentialError(f"cannot disclose claims that are not issued: {sorted(unknown)}")
    errors = schema_errors(schema, claims)
    if errors:
        raise CredentialError(f"claims do not match the schema: {errors[0]}")
    base = _claims("", "", type_name, schema, status, issued_at, valid_from, valid_until)
    user_claims: dict[Any, Any] = {
        "iss": issuer,
        "iat": issued_at,
        "nbf": valid_from,
        "exp": valid_until,
        "vct": type_name,
        "credentialSchema": base["vc"]["credentialSchema"],
        "credentialStatus": base["vc"]["credentialStatus"],
    }
    for name, value in claims.items():
        user_claims[SDObj(name) if name in disclosable else name] = value
    key = jwk_of(private_key)
    sd = SDJWTIssuer(
        user_claims,
        key,
        holder_key,
        sign_alg="ES256K",
        extra_header_parameters={"typ": SD_JWT_TYP, "jwk": key.export_public(as_dict=True)},
    )
    return str(sd.sd_jwt_issuance)


def publish_status_list(
    signer: Any, issuer: str, uri: str, purpose: Any, bits: list[bool], issued_at: int, ttl: int
) -> str:
    """A status-list credential (JWT) of ``bits``, for verifiers without chain access."""
    return jws.sign(list_credential_payload(issuer, uri, purpose, bits, issued_at, ttl), signer)
