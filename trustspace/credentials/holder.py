"""Present credentials: a VP JWT (nonce + audience) or an SD-JWT with key binding."""

from __future__ import annotations

from typing import Any

from jwcrypto.jwk import JWK
from sd_jwt.holder import SDJWTHolder

from trustspace.credentials import jws
from trustspace.credentials.model import VC_CONTEXT, CredentialError

__all__ = ["present", "present_sd_jwt"]


def present(
    signer: Any, holder: str, credentials: list[str], audience: str, nonce: str, issued_at: int
) -> str:
    """A presentation JWT of ``credentials`` by ``holder`` (a DID whose key ``signer`` holds),
    for one verifier (``aud``) and one request (``nonce``): replayed elsewhere, it fails."""
    if not credentials:
        raise CredentialError("a presentation needs at least one credential")
    if not audience or not nonce:
        raise CredentialError("a presentation needs an audience and a nonce")
    payload = {
        "iss": holder,
        "aud": audience,
        "nonce": nonce,
        "iat": issued_at,
        "nbf": issued_at,
        "vp": {
            "@context": [VC_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": list(credentials),
        },
    }
    return jws.sign(payload, signer)


def present_sd_jwt(
    sd_jwt: str, reveal: list[str], holder_key: JWK, audience: str, nonce: str
) -> str:
    """An SD-JWT presentation revealing only the ``reveal`` claims, with a key-binding JWT
    (ES256K, signed by the holder's ``cnf`` key) over ``audience``, ``nonce`` and the rest."""
    if not audience or not nonce:
        raise CredentialError("a presentation needs an audience and a nonce")
    holder = SDJWTHolder(sd_jwt)
    holder.create_presentation(
        {name: True for name in reveal}, nonce, audience, holder_key, sign_alg="ES256K"
    )
    return str(holder.sd_jwt_presentation)
