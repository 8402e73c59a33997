"""SD-JWT VC presentations with key binding, and status read from a published status list."""

from __future__ import annotations

import json

import pytest

from trustspace.credentials import holder, issuer, jws
from trustspace.credentials.model import CredentialError, Purpose, Reason
from trustspace.credentials.status import bit_at, decode_list, encode_list, read_bits

AUD, NONCE = "https://tax.example/verifier", "n-1"


def shown(stand, reveal=("name", "aeoLevel"), aud=AUD, nonce=NONCE):
    token, index = stand.issue_sd_jwt()
    key = issuer.jwk_of(stand.company_key)
    return holder.present_sd_jwt(token, list(reveal), key, aud, nonce), index


def test_sd_jwt__two_claims_revealed__valid_with_only_those(stand):
    presentation, _ = shown(stand)
    verdict = stand.verifier.verify_sd_jwt(presentation, AUD, NONCE)
    assert verdict.valid, verdict.as_dict()
    assert verdict.subject == {"name": "Oceanic Trading Ltd", "aeoLevel": "AEOF"}
    assert "GB123456789000" not in jws.decode(presentation.split("~")[0]).payload.__repr__()


def test_sd_jwt__replayed_to_another_verifier__wrong_audience(stand):
    presentation, _ = shown(stand)
    assert (
        stand.verifier.verify_sd_jwt(presentation, "https://bank.example", NONCE).reason
        is Reason.WRONG_AUDIENCE
    )


def test_sd_jwt__other_nonce__wrong_nonce(stand):
    presentation, _ = shown(stand)
    assert stand.verifier.verify_sd_jwt(presentation, AUD, "n-2").reason is Reason.WRONG_NONCE


def test_sd_jwt__disclosure_value_changed__tampered_disclosure(stand):
    presentation, _ = shown(stand)
    parts = presentation.split("~")
    for i, part in enumerate(parts[1:-1], start=1):
        salt, name, _value = json.loads(jws.b64url_decode(part))
        if name == "aeoLevel":
            parts[i] = jws.b64url(json.dumps([salt, name, "AEOC"]).encode())
    verdict = stand.verifier.verify_sd_jwt("~".join(parts), AUD, NONCE)
    assert verdict.reason is Reason.TAMPERED_DISCLOSURE


def test_sd_jwt__without_key_binding__no_key_binding(stand):
    presentation, _ = shown(stand)
    stripped = "~".join(presentation.split("~")[:-1]) + "~"
    assert stand.verifier.verify_sd_jwt(stripped, AUD, NONCE).reason is Reason.NO_KEY_BINDING


def test_sd_jwt__key_binding_by_another_key__bad_signature(stand):
    from eth_account import Account

    token, _ = stand.issue_sd_jwt()
    presentation = holder.present_sd_jwt(
        token, ["name"], issuer.jwk_of(Account.create().key), AUD, NONCE
    )
    assert stand.verifier.verify_sd_jwt(presentation, AUD, NONCE).reason is Reason.BAD_SIGNATURE


def test_sd_jwt__suspended__suspended(stand):
    presentation, index = shown(stand)
    stand.suspend(index)
    assert stand.verifier.verify_sd_jwt(presentation, AUD, NONCE).reason is Reason.SUSPENDED


def test_sd_jwt__undisclosable_claim_asked__refused(stand):
    with pytest.raises(CredentialError, match="not issued"):
        issuer.issue_sd_jwt(
            stand.clerk_key, stand.customs_did, issuer.jwk_of(stand.company_key), "AEOCertificate",
            {"name": "x"}, ["vessel"], {}, [], 0, 0, 1,
        )  # fmt: skip


# ------------------------------------------------------------------ published status lists


def test_encode_list__bits__round_trip_and_minimum_size():
    raw = decode_list(encode_list([False, True, False] + [False] * 1000 + [True]))
    assert len(raw) * 8 == 131_072
    assert [bit_at(raw, i) for i in (0, 1, 2, 1003, 1004)] == [False, True, False, True, False]


def test_decode_list__not_multibase__refused():
    with pytest.raises(CredentialError, match="prefix u"):
        decode_list("zabc")


def _offline(stand, max_age=3600):
    from trustspace.credentials.verifier import Verifier

    lists = {}
    for list_id, purpose in zip(stand.lists, (Purpose.REVOCATION, Purpose.SUSPENSION), strict=True):
        _, _, bits = read_bits(stand.registry, list_id)
        uri = stand.status(0)[list_id - stand.lists[0]].list_credential
        lists[uri] = issuer.publish_status_list(
            stand.clerk_key, stand.customs_did, uri, purpose, bits, stand.now(), 86400
        )
    return Verifier(stand.verifier.resolver, stand.consortium, stand.registry, stand.verifier.schemas,
                    status_lists=lists, max_status_age=max_age)  # fmt: skip


def test_status_list_credential__fresh__valid_with_age(stand):
    token, _ = stand.issue_jwt()
    verdict = _offline(stand).verify_credential(token)
    assert verdict.valid, verdict.as_dict()
    assert verdict.status_age == 0


def test_status_list_credential__revoked_bit__revoked(stand):
    token, index = stand.issue_jwt()
    stand.revoke(index)
    assert _offline(stand).verify_credential(token).reason is Reason.REVOKED


def test_status_list_credential__older_than_allowed__stale(stand, chain):
    token, _ = stand.issue_jwt()
    verifier = _offline(stand, max_age=60)
    chain.pending_timestamp = chain.blocks.head.timestamp + 120
    chain.mine()
    verdict = verifier.verify_credential(token)
    assert verdict.reason is Reason.STATUS_STALE
    assert verdict.status_age >= 120


def test_status_list_credential__missing__status_unknown(stand):
    from trustspace.credentials.verifier import Verifier

    token, _ = stand.issue_jwt()
    v = stand.verifier
    offline = Verifier(v.resolver, stand.consortium, stand.registry, v.schemas, status_lists={})
    assert offline.verify_credential(token).reason is Reason.STATUS_UNKNOWN


def _published(stand, **changes):
    """Customs' two lists published now, their claims changed by ``changes`` (None drops)."""
    from trustspace.credentials.verifier import Verifier

    lists = {}
    for entry in stand.status(0):
        token = issuer.publish_status_list(
            stand.clerk_key, stand.customs_did, entry.list_credential, entry.purpose,
            [False] * 255, stand.now(), 3600,
        )  # fmt: skip
        payload = {**jws.decode(token).payload, **changes}
        payload = {k: v for k, v in payload.items() if v is not None}
        lists[entry.list_credential] = jws.sign(payload, stand.clerk_key)
    v = stand.verifier
    return Verifier(v.resolver, stand.consortium, stand.registry, v.schemas, status_lists=lists)


def test_status_list_credential__without_exp__fresh_not_stale(stand):
    token, _ = stand.issue_jwt()
    verdict = _published(stand, exp=None).verify_credential(token)
    assert verdict.valid, verdict.as_dict()


def test_status_list_credential__issued_in_the_future__status_unknown_not_negative_age(stand):
    token, _ = stand.issue_jwt()
    later = stand.now() + 7200
    verdict = _published(stand, iat=later, nbf=later, exp=later + 3600).verify_credential(token)
    assert verdict.reason is Reason.STATUS_UNKNOWN
    assert verdict.detail == "status list issued 7200 s in the future"


def test_decode_list__gzip_bomb__refused_at_the_cap():
    import base64
    import gzip

    from trustspace.credentials.status import MAX_LIST_BYTES

    bomb = gzip.compress(b"\0" * (MAX_LIST_BYTES + 1))
    encoded = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode()
    with pytest.raises(CredentialError, match=f"more than {MAX_LIST_BYTES} bytes"):
        decode_list(encoded)
    assert len(decode_list(encode_list([True]))) == 16_384


def test_status_entry__negative_index__status_unknown(stand):
    token, _ = stand.issue_jwt()
    payload = jws.decode(token).payload
    payload["vc"]["credentialStatus"][0]["statusListIndex"] = "-1"
    verdict = stand.verifier.verify_credential(jws.sign(payload, stand.clerk_key))
    assert verdict.reason is Reason.STATUS_UNKNOWN
    assert "out of range" in verdict.detail


def test_schema_errors__format_broken__reported():
    from trustspace.credentials.schemas import schema_errors

    schema = {"type": "object", "properties": {"since": {"type": "string", "format": "date"}}}
    assert schema_errors(schema, {"since": "2026-12-07"}) == []
    assert schema_errors(schema, {"since": "yesterday"}) == ["since: 'yesterday' is not a 'date'"]
