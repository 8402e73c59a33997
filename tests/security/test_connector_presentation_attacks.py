"""Hostile presentations to a connector whose policy requires a credential: replayed with a
re-signed request, made for another connector or another request, or held by another
organisation's DID. None is served and none is logged (docs/dataspace.md)."""

import pytest
from eth_account import Account

from trustspace.credentials import holder, issuer
from trustspace.dataspace.policy import Policy
from trustspace.devnet.demo_credentials import AEO_SCHEMA, AEO_TYPE, aeo_claims
from trustspace.did.resolver import did_for

MARITIME = 3


@pytest.fixture
def aeo_offer(agreed, connector_for, data_stand):
    policy = Policy(purposes=("VAT assessment",), credential_type=AEO_TYPE)
    offer_id, agreement_id = agreed(policy)
    return connector_for({offer_id: policy}, verifier=data_stand.verifier), offer_id, agreement_id


def _refused(reply, status, code):
    assert (reply.status, reply.error["error"]) == (status, code), reply.body
    return reply.error["reason"]


def test_connector__presentation_replayed_with_a_resigned_request__refused(
    aeo_offer, signed_by, presented, tax_clerk, data_client
):
    connector, offer_id, agreement_id = aeo_offer
    first = presented(signed_by(tax_clerk, agreement_id, offer_id))
    assert connector.handle(first.body()).status == 200
    # Same nonce, other expiry: a new request id, the same presentation.
    again = signed_by(
        tax_clerk, agreement_id, offer_id, lifetime=60, nonce=first.request.nonce
    ).with_presentation(first.presentation)
    reason = _refused(connector.handle(again.body()), 409, "credential_replayed")
    assert reason == "presentation nonce already used"
    assert data_client.agreement(agreement_id).transfers == 1


def test_connector__presentation_of_another_request__refused_wrong_nonce(
    aeo_offer, signed_by, presented, tax_clerk, data_client
):
    connector, offer_id, agreement_id = aeo_offer
    other = signed_by(tax_clerk, agreement_id, offer_id)
    signed = presented(
        signed_by(tax_clerk, agreement_id, offer_id), nonce=other.request.presentation_nonce()
    )
    reason = _refused(connector.handle(signed.body()), 403, "credential_invalid:wrong_nonce")
    assert reason == "presentation: presentation nonce does not match"
    assert data_client.agreement(agreement_id).transfers == 0


def test_connector__presentation_for_another_connector__refused_wrong_audience(
    aeo_offer, signed_by, presented, tax_clerk, data_client
):
    connector, offer_id, agreement_id = aeo_offer
    signed = presented(
        signed_by(tax_clerk, agreement_id, offer_id), audience="https://maritime.example/data"
    )
    reason = _refused(connector.handle(signed.body()), 403, "credential_invalid:wrong_audience")
    assert reason == (
        "presentation: presentation was made for another verifier: made for "
        "https://maritime.example/data"
    )
    assert data_client.agreement(agreement_id).transfers == 0


def test_connector__presentation_by_another_organisations_did__refused_not_consumer(
    aeo_offer, signed_by, tax_clerk, data_stand, data_gov, approvers, data_client, chain
):
    connector, offer_id, agreement_id = aeo_offer
    key = Account.create()
    data_gov.enact("set_did", approvers=approvers, org_id=MARITIME, did=key.address)
    maritime_did = did_for(key.address, chain.chain_id)
    now = data_stand.now()
    index = data_stand.next_index
    data_stand.next_index += 1
    token = issuer.issue_jwt(
        data_stand.clerk_key, data_stand.customs_did, maritime_did, AEO_TYPE, aeo_claims(),
        AEO_SCHEMA, data_stand.status(index), now, now, now + 86400,
    )  # fmt: skip
    signed = signed_by(tax_clerk, agreement_id, offer_id)
    vp = holder.present(
        key.key.hex(), maritime_did, [token], connector.audience,
        signed.request.presentation_nonce(), now,
    )  # fmt: skip

    reply = connector.handle(signed.with_presentation(vp).body())

    reason = _refused(reply, 403, "credential_not_consumer")
    assert reason == "presentation holder is not the consumer organisation's DID"
    assert data_client.agreement(agreement_id).transfers == 0
