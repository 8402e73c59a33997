"""The Python verifier: each way a credential or presentation fails has its own reason."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account

from tests.utils.credentials import AEO_SCHEMA, CUSTOMS, aeo_claims
from trustspace.credentials import holder, issuer, jws
from trustspace.credentials.model import Reason, type_hash
from trustspace.credentials.schemas import schema_hash
from trustspace.did import registry as reg
from trustspace.did.resolver import did_for

AUD, NONCE = "https://tax.example/verifier", "n-1"
VERI_KEY = reg.str_to_bytes32("veriKey")
NULL = "0x" + "00" * 20


def resign(token: str, key: str, **changes: Any) -> str:
    """The token's payload with ``changes`` (``subject=`` replaces the subject), signed by ``key``."""
    payload = jws.decode(token).payload
    if "subject" in changes:
        payload["vc"]["credentialSubject"] = changes.pop("subject")
    payload.update(changes)
    return jws.sign(payload, key)


def verify(stand: Any, token: str) -> Reason:
    return stand.verifier.verify_credential(token).reason


def travel(chain: Any, seconds: int) -> None:
    chain.pending_timestamp = chain.blocks.head.timestamp + seconds
    chain.mine()


def test_verify__fresh_credential__valid_with_subject(stand):
    token, _ = stand.issue_jwt()
    verdict = stand.verifier.verify_credential(token)
    assert verdict.valid, verdict.as_dict()
    assert verdict.subject == aeo_claims()
    assert (verdict.issuer, verdict.credential_type) == (stand.customs_did, "AEOCertificate")


def test_verify__es256k_r__valid(stand):
    token, _ = stand.issue_jwt()
    assert (
        verify(stand, jws.sign(jws.decode(token).payload, stand.clerk_key, alg="ES256K-R"))
        is Reason.VALID
    )


def test_verify__not_a_jwt__malformed(stand):
    assert verify(stand, "not.a-jwt") is Reason.MALFORMED


def test_verify__tampered_claim__bad_signature(stand):
    token, _ = stand.issue_jwt()
    head, _body, sig = token.split(".")
    payload = jws.decode(token).payload
    payload["vc"]["credentialSubject"]["aeoLevel"] = "AEOC"
    forged = jws.sign(payload, Account.create().key.hex()).split(".")[1]
    assert verify(stand, f"{head}.{forged}.{sig}") is Reason.BAD_SIGNATURE


def test_verify__signed_by_stranger_key__bad_signature(stand):
    token, _ = stand.issue_jwt()
    assert verify(stand, resign(token, Account.create().key.hex())) is Reason.BAD_SIGNATURE


def test_verify__issuer_not_an_organisation__unknown_issuer(stand, chain):
    token, _ = stand.issue_jwt()
    stranger = Account.create()
    forged = resign(token, stranger.key.hex(), iss=did_for(stranger.address, chain.chain_id))
    assert verify(stand, forged) is Reason.UNKNOWN_ISSUER


def test_verify__type_without_accreditation__not_accredited(stand, approvers):
    from trustspace.consortium.governance import Governance

    schema = {"type": "object", "properties": {"vessel": {"type": "string"}}}
    Governance(stand.consortium).decide_call(
        stand.registry,
        "register_schema",
        schema_hash(schema),
        type_hash("VesselRegistration"),
        approvers=approvers,
    )
    now = stand.now()
    token = issuer.issue_jwt(
        stand.clerk_key, stand.customs_did, stand.company_did, "VesselRegistration",
        {"vessel": "MV Example"}, schema, stand.status(0), now, now, now + 100,
    )  # fmt: skip
    assert verify(stand, token) is Reason.NOT_ACCREDITED


def test_verify__schema_not_registered__unknown_schema(stand):
    schema = {"type": "object"}
    now = stand.now()
    token = issuer.issue_jwt(
        stand.clerk_key, stand.customs_did, stand.company_did, "AEOCertificate",
        aeo_claims(), schema, stand.status(0), now, now, now + 100,
    )  # fmt: skip
    assert verify(stand, token) is Reason.UNKNOWN_SCHEMA


def test_verify__withdrawn_after_issuance__still_valid_but_new_ones_not(stand, approvers, chain):
    from trustspace.consortium.governance import Governance

    before, _ = stand.issue_jwt()
    travel(chain, 10)
    Governance(stand.consortium).decide_call(
        stand.registry,
        "withdraw",
        CUSTOMS,
        type_hash("AEOCertificate"),
        schema_hash(AEO_SCHEMA),
        approvers=approvers,
    )
    travel(chain, 10)
    after, _ = stand.issue_jwt()
    assert verify(stand, before) is Reason.VALID
    assert verify(stand, after) is Reason.NOT_ACCREDITED


def test_verify__past_valid_until__expired(stand, chain):
    now = stand.now()
    token, _ = stand.issue_jwt(valid_until=now + 50)
    assert verify(stand, token) is Reason.VALID
    travel(chain, 60)
    assert verify(stand, token) is Reason.EXPIRED


def test_verify__before_valid_from__not_yet_valid(stand):
    token, _ = stand.issue_jwt(valid_from=stand.now() + 3600)
    assert verify(stand, token) is Reason.NOT_YET_VALID


def test_verify__subject_breaks_schema__schema_violation(stand):
    token, _ = stand.issue_jwt()
    forged = resign(token, stand.clerk_key, subject=aeo_claims(aeoLevel="GOLD"))
    verdict = stand.verifier.verify_credential(forged)
    assert verdict.reason is Reason.SCHEMA_VIOLATION
    assert "aeoLevel" in verdict.detail


def test_verify__revoked__revoked(stand):
    token, index = stand.issue_jwt()
    stand.revoke(index)
    assert verify(stand, token) is Reason.REVOKED


def test_verify__suspended_then_reinstated__suspended_then_valid(stand):
    token, index = stand.issue_jwt()
    stand.suspend(index)
    assert verify(stand, token) is Reason.SUSPENDED
    stand.suspend(index, False)
    assert verify(stand, token) is Reason.VALID


def test_verify__status_entry_in_another_orgs_list__status_unknown(stand, tax_admin):
    token, _ = stand.issue_jwt()
    payload = jws.decode(token).payload
    payload["vc"]["credentialStatus"][0]["statusListId"] = "99"
    assert verify(stand, jws.sign(payload, stand.clerk_key)) is Reason.STATUS_UNKNOWN


def test_verify__delegate_revoked__key_not_live(stand, customs_admin):
    token, _ = stand.issue_jwt()
    delegate = Account.from_key(stand.clerk_key).address
    stand.source.record(
        stand.did_registry.revokeDelegate(customs_admin, VERI_KEY, delegate, sender=customs_admin)
    )
    assert verify(stand, token) is Reason.KEY_NOT_LIVE


def test_verify__owner_rotated__old_owner_key_not_live(stand, customs_admin, outsider, chain):
    payload = jws.decode(stand.issue_jwt()[0]).payload
    token = jws.sign(payload, customs_admin.private_key)
    assert verify(stand, token) is Reason.VALID
    travel(chain, 5)
    stand.source.record(
        stand.did_registry.changeOwner(customs_admin, outsider, sender=customs_admin)
    )
    assert verify(stand, token) is Reason.KEY_NOT_LIVE


def test_verify__did_deactivated__deactivated(stand, customs_admin):
    token, _ = stand.issue_jwt()
    stand.source.record(stand.did_registry.changeOwner(customs_admin, NULL, sender=customs_admin))
    assert verify(stand, token) is Reason.DEACTIVATED


# ------------------------------------------------------------------ presentations


def test_present__right_audience_and_nonce__valid(stand):
    verdict = stand.verifier.verify_presentation(stand.presentation(AUD, NONCE), AUD, NONCE)
    assert verdict.valid, verdict.as_dict()
    assert [c.reason for c in verdict.credentials] == [Reason.VALID]


def test_present__replayed_to_another_verifier__wrong_audience(stand):
    token = stand.presentation(AUD, NONCE)
    assert (
        stand.verifier.verify_presentation(token, "https://bank.example", NONCE).reason
        is Reason.WRONG_AUDIENCE
    )


def test_present__other_nonce__wrong_nonce(stand):
    token = stand.presentation(AUD, NONCE)
    assert stand.verifier.verify_presentation(token, AUD, "n-2").reason is Reason.WRONG_NONCE


def test_present__someone_elses_credential__holder_mismatch(stand, chain):
    credential, _ = stand.issue_jwt()
    thief = Account.create()
    token = holder.present(
        thief.key.hex(),
        did_for(thief.address, chain.chain_id),
        [credential],
        AUD,
        NONCE,
        stand.now(),
    )
    assert stand.verifier.verify_presentation(token, AUD, NONCE).reason is Reason.HOLDER_MISMATCH


def test_present__suspended_credential__suspended(stand):
    credential, index = stand.issue_jwt()
    stand.suspend(index)
    token = stand.presentation(AUD, NONCE, credential)
    assert stand.verifier.verify_presentation(token, AUD, NONCE).reason is Reason.SUSPENDED


def test_present__no_audience__refused(stand):
    from trustspace.credentials.model import CredentialError

    with pytest.raises(CredentialError, match="audience and a nonce"):
        stand.presentation("", NONCE)


def test_verify__issuer_organisation_suspended__issuer_not_live_then_valid_again(stand, approvers):
    from trustspace.consortium.governance import Governance

    token, _ = stand.issue_jwt()
    gov = Governance(stand.consortium)
    gov.enact("set_threshold", approvers=approvers, threshold=1)
    gov.enact("suspend_org", approvers=approvers[1:], org_id=CUSTOMS)
    assert verify(stand, token) is Reason.ISSUER_NOT_LIVE
    gov.enact("reinstate_org", approvers=approvers[1:], org_id=CUSTOMS)
    assert verify(stand, token) is Reason.VALID


def test_verify__status_entry_on_another_chain__status_unknown(stand):
    token, _ = stand.issue_jwt()
    payload = jws.decode(token).payload
    entry = payload["vc"]["credentialStatus"][1]
    entry["statusRegistry"] = entry["statusRegistry"].replace(f":{stand.chain_id}:", ":31338:")
    verdict = stand.verifier.verify_credential(jws.sign(payload, stand.clerk_key))
    assert verdict.reason is Reason.STATUS_UNKNOWN
    assert "chain 31338" in verdict.detail


@pytest.mark.parametrize("sid", ["0xab", "0x" + "ab" * 40])
def test_verify__schema_id_not_32_bytes__unknown_schema(stand, sid):
    token, _ = stand.issue_jwt()
    payload = jws.decode(token).payload
    payload["vc"]["credentialSchema"]["id"] = "urn:trustspace:schema:" + sid
    assert verify(stand, jws.sign(payload, stand.clerk_key)) is Reason.UNKNOWN_SCHEMA
