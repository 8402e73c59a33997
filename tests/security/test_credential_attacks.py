"""Attacks on verifiable credentials: replayed presentations, substituted issuer keys, spliced
disclosures, forged or borrowed status lists, algorithm confusion. Each is refused with its
own reason by the Python verifier (tests/security/README.md, class 33)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account import Account
from hypothesis import given
from hypothesis import strategies as st

from trustspace.credentials import holder, issuer, jws
from trustspace.credentials.model import Purpose, Reason
from trustspace.credentials.registry import create_list
from trustspace.credentials.status import status_entries
from trustspace.devnet.demo_credentials import build_stand
from trustspace.did.resolver import ReceiptSource

AUD, NONCE = "https://tax.example/verifier", "n-1"


@pytest.fixture(scope="session")
def vc_stand(deployer: Any, customs_admin: Any, tax_admin: Any, spare_accounts: Any) -> Any:
    return build_stand(
        deployer, customs_admin, tax_admin, spare_accounts[5], source_factory=ReceiptSource
    )


@given(audience=st.text(min_size=1, max_size=40), nonce=st.text(min_size=1, max_size=20))
def test_replay__presentation_to_any_other_verifier_or_request__refused(vc_stand, audience, nonce):
    token = vc_stand.presentation(AUD, NONCE)
    verdict = vc_stand.verifier.verify_presentation(token, audience, nonce)
    if (audience, nonce) == (AUD, NONCE):
        assert verdict.valid
    else:
        assert verdict.reason in (Reason.WRONG_AUDIENCE, Reason.WRONG_NONCE)


def test_sd_jwt__issuer_key_substituted_in_header__refused(vc_stand):
    attacker = Account.create().key.hex()
    now = vc_stand.now()
    forged = issuer.issue_sd_jwt(
        attacker, vc_stand.customs_did, issuer.jwk_of(vc_stand.company_key), "AEOCertificate",
        {"name": "Shell Co", "eori": "GB1", "aeoLevel": "AEOF"}, ["name"],
        {"type": "object"}, vc_stand.status(0), now, now, now + 100,
    )  # fmt: skip
    shown = holder.present_sd_jwt(forged, ["name"], issuer.jwk_of(vc_stand.company_key), AUD, NONCE)
    assert vc_stand.verifier.verify_sd_jwt(shown, AUD, NONCE).reason is Reason.BAD_SIGNATURE


def test_sd_jwt__disclosure_spliced_from_another_credential__refused(vc_stand):
    from trustspace.devnet.demo_credentials import aeo_claims

    mine, _ = vc_stand.issue_sd_jwt()
    other, _ = vc_stand.issue_sd_jwt(aeo_claims(aeoLevel="AEOC", name="Other Ltd"))
    key = issuer.jwk_of(vc_stand.company_key)
    shown = holder.present_sd_jwt(mine, ["name"], key, AUD, NONCE).split("~")
    foreign = [
        d for d in other.split("~")[1:-1] if json.loads(jws.b64url_decode(d))[1] == "aeoLevel"
    ]
    spliced = "~".join([*shown[:-1], *foreign, shown[-1]])
    assert vc_stand.verifier.verify_sd_jwt(spliced, AUD, NONCE).reason is Reason.TAMPERED_DISCLOSURE


def test_status__entry_pointing_at_another_organisations_list__refused(vc_stand, chain, tax_admin):
    from trustspace.consortium.constants import Role
    from trustspace.consortium.governance import Governance

    # Tax's own clerk makes a suspension list; a customs credential naming it would dodge
    # customs' suspensions: the verifier checks the list's owner.
    gov = Governance(vc_stand.consortium)
    approvers = [vc_stand.customs_admin, tax_admin]
    tax_clerk = tax_admin  # an admin may also hold ISSUER
    gov.enact(
        "grant_role", approvers=approvers, account=tax_clerk, roles=int(Role.ISSUER), expiry=0
    )
    foreign_list = create_list(vc_stand.registry, Purpose.SUSPENSION, 1, tax_clerk)
    token, index = vc_stand.issue_jwt()
    payload = jws.decode(token).payload
    entries = status_entries(
        vc_stand.chain_id, str(vc_stand.registry.address), vc_stand.lists[0], foreign_list, index
    )
    payload["vc"]["credentialStatus"] = [e.as_json() for e in entries]
    forged = jws.sign(payload, vc_stand.clerk_key)
    assert vc_stand.verifier.verify_credential(forged).reason is Reason.STATUS_UNKNOWN


def test_status__published_list_signed_by_someone_else__refused(vc_stand):
    from trustspace.credentials.verifier import Verifier

    token, index = vc_stand.issue_jwt()
    vc_stand.suspend(index)
    lists = {}
    for entry in vc_stand.status(index):
        clean = [False] * 255  # the attacker's list shows nothing set
        lists[entry.list_credential] = issuer.publish_status_list(
            Account.create().key.hex(),
            vc_stand.customs_did,
            entry.list_credential,
            entry.purpose,
            clean,
            vc_stand.now(),
            3600,
        )
    v = vc_stand.verifier
    offline = Verifier(
        v.resolver, vc_stand.consortium, vc_stand.registry, v.schemas, status_lists=lists
    )
    assert offline.verify_credential(token).reason is Reason.STATUS_UNKNOWN


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256"])
def test_algorithm_confusion__other_alg_header__malformed(vc_stand, alg):
    token, _ = vc_stand.issue_jwt()
    _, body, sig = token.split(".")
    head = jws.b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    assert vc_stand.verifier.verify_credential(f"{head}.{body}.{sig}").reason is Reason.MALFORMED


def test_backdating__delegate_added_after_withdrawal_signs_iat_in_accredited_window__refused(
    vc_stand, chain, tax_admin
):
    from trustspace.consortium.governance import Governance
    from trustspace.credentials.model import type_hash
    from trustspace.credentials.registry import withdraw_call
    from trustspace.devnet.demo_credentials import AEO_SCHEMA, AEO_TYPE
    from trustspace.did import registry as reg

    # The accreditation is withdrawn; the organisation then makes a fresh veriKey delegate and
    # signs a credential dated inside its old accredited interval. The key is live now, but it
    # was not a key of the DID at the claimed issuance: refused.
    source = vc_stand.source
    saved = {k: list(v) for k, v in source._logs.items()}
    try:
        backdated_iat = vc_stand.now()
        chain.pending_timestamp = chain.blocks.head.timestamp + 30
        chain.mine()
        name, args = withdraw_call(1, AEO_TYPE, AEO_SCHEMA)
        Governance(vc_stand.consortium).decide_call(
            vc_stand.registry, name, *args, approvers=[vc_stand.customs_admin, tax_admin]
        )
        assert not vc_stand.registry.accredited_at(
            1, type_hash(AEO_TYPE), bytes(args[2]), vc_stand.now() + 1
        )
        fresh = Account.create().key.hex()
        source.record(
            vc_stand.did_registry.addDelegate(
                vc_stand.customs_admin, reg.str_to_bytes32("veriKey"),
                Account.from_key(fresh).address, 86_400, sender=vc_stand.customs_admin,
            )
        )  # fmt: skip
        token, _ = vc_stand.issue_jwt(issued_at=backdated_iat, valid_from=backdated_iat)
        forged = jws.sign(jws.decode(token).payload, fresh)
        assert vc_stand.verifier.verify_credential(forged).reason is Reason.KEY_NOT_LIVE_AT_ISSUANCE
        forged_sd = issuer.issue_sd_jwt(
            fresh, vc_stand.customs_did, issuer.jwk_of(vc_stand.company_key), AEO_TYPE,
            {"name": "Oceanic", "eori": "GB1", "aeoLevel": "AEOF"}, ["name"], AEO_SCHEMA,
            vc_stand.status(0), backdated_iat, backdated_iat, backdated_iat + 3600,
        )  # fmt: skip
        shown = holder.present_sd_jwt(
            forged_sd, ["name"], issuer.jwk_of(vc_stand.company_key), AUD, NONCE
        )
        verdict = vc_stand.verifier.verify_sd_jwt(shown, AUD, NONCE)
        assert verdict.reason is Reason.KEY_NOT_LIVE_AT_ISSUANCE
    finally:
        source._logs.clear()
        source._logs.update(saved)


def test_hostile_token__out_of_range_iat_or_deep_json__malformed_not_exception(vc_stand):
    # A token is attacker input: a timestamp no clock holds or JSON nested past the parser's
    # recursion limit is a MALFORMED verdict, never an exception out of the verifier.
    v = vc_stand.verifier
    token, _ = vc_stand.issue_jwt()
    payload = jws.decode(token).payload
    hostile = [
        jws.sign({**payload, name: value}, vc_stand.clerk_key)
        for name in ("iat", "nbf", "exp")
        for value in (10**20, -(10**13), 2**64)
    ]
    head = jws.b64url(json.dumps({"alg": "ES256K"}).encode())
    for depth in (20_000, 100_000):  # past the recursion limit; past the length cap
        hostile.append(f"{head}.{jws.b64url(b'[' * depth)}.sig")
    for bad in hostile:
        assert v.verify_credential(bad).reason is Reason.MALFORMED
        assert v.verify_sd_jwt(f"{bad}~kb", AUD, NONCE).reason is Reason.MALFORMED
        assert v.verify_presentation(bad, AUD, NONCE).reason is Reason.MALFORMED
        vp = holder.present(
            vc_stand.company_key, vc_stand.company_did, [bad], AUD, NONCE, vc_stand.now()
        )
        assert v.verify_presentation(vp, AUD, NONCE).reason is Reason.MALFORMED
    vp_payload = jws.decode(holder.present(
        vc_stand.company_key, vc_stand.company_did, [token], AUD, NONCE, vc_stand.now()
    )).payload  # fmt: skip
    for name, value in (("iat", 2**64), ("exp", -(10**13))):
        odd = jws.sign({**vp_payload, name: value}, vc_stand.company_key)
        assert v.verify_presentation(odd, AUD, NONCE).reason is Reason.MALFORMED
    many = holder.present(
        vc_stand.company_key, vc_stand.company_did, [token] * 17, AUD, NONCE, vc_stand.now()
    )
    assert v.verify_presentation(many, AUD, NONCE).reason is Reason.MALFORMED
    sd, _ = vc_stand.issue_sd_jwt()
    deep = jws.b64url(b"[" * 20_000)
    shown = holder.present_sd_jwt(sd, ["name"], issuer.jwk_of(vc_stand.company_key), AUD, NONCE)
    spliced = shown.split("~")
    spliced.insert(1, deep)
    assert v.verify_sd_jwt("~".join(spliced), AUD, NONCE).reason is Reason.MALFORMED


def test_verify_sd_jwt__empty_audience_or_nonce__refused_not_skipped(vc_stand):
    # sd-jwt skips the key-binding JWT when no audience and nonce are expected: a stolen
    # SD-JWT with a key-binding JWT by any key would pass. An empty one is refused instead.
    v = vc_stand.verifier
    sd, _ = vc_stand.issue_sd_jwt()
    thief = issuer.jwk_of(Account.create().key.hex())
    stolen = holder.present_sd_jwt(sd, ["name"], thief, AUD, NONCE)
    vp = jws.decode(vc_stand.presentation(AUD, NONCE)).payload
    for aud, nonce in (("", NONCE), (AUD, ""), ("", "")):
        assert v.verify_sd_jwt(stolen, aud, nonce).reason is Reason.NO_KEY_BINDING
        blank = jws.sign({**vp, "aud": aud, "nonce": nonce}, vc_stand.company_key)
        assert v.verify_presentation(blank, aud, nonce).reason is Reason.NO_KEY_BINDING


def test_status__published_list_of_another_list_or_a_plain_vc__refused(vc_stand):
    from trustspace.credentials.verifier import Verifier

    # Customs' own key signs both stand-ins: its clean list published under another URI, and
    # an ordinary credential carrying a clean encodedList. Neither is the list the entry names.
    token, index = vc_stand.issue_jwt()
    vc_stand.suspend(index)
    v, now = vc_stand.verifier, vc_stand.now()
    revocation, suspension = vc_stand.status(index)
    honest = issuer.publish_status_list(
        vc_stand.clerk_key, vc_stand.customs_did, revocation.list_credential,
        Purpose.REVOCATION, [False] * 255, now, 3600,
    )  # fmt: skip
    other_list = issuer.publish_status_list(
        vc_stand.clerk_key, vc_stand.customs_did, suspension.list_credential + "-old",
        Purpose.SUSPENSION, [False] * 255, now, 3600,
    )  # fmt: skip
    plain = jws.decode(other_list).payload
    plain["jti"] = suspension.list_credential
    plain["vc"]["type"] = ["VerifiableCredential", "AEOCertificate"]
    plain_vc = jws.sign(plain, vc_stand.clerk_key)
    for stand_in in (other_list, plain_vc):
        lists = {revocation.list_credential: honest, suspension.list_credential: stand_in}
        offline = Verifier(
            v.resolver, vc_stand.consortium, vc_stand.registry, v.schemas, status_lists=lists
        )
        assert offline.verify_credential(token).reason is Reason.STATUS_UNKNOWN
