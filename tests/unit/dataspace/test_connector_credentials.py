"""A policy naming a credential type: the request carries the consumer organisation's
presentation, verified on the hub (here the same in-process chain); each refusal has its code."""

import pytest

from trustspace.dataspace.policy import Policy

AEO = "AEOCertificate"


def _served(reply):
    assert reply.status == 200, reply.body
    return reply


def _refused(reply, status, code):
    assert (reply.status, reply.error["error"]) == (status, code), reply.body
    return reply.error["reason"]


@pytest.fixture
def aeo_offer(agreed, connector_for, data_stand):
    """A live tax agreement under a policy requiring an AEO certificate; customs' connector
    verifying presentations against the stand's hub."""
    policy = Policy(purposes=("VAT assessment",), credential_type=AEO)
    offer_id, agreement_id = agreed(policy)
    return connector_for({offer_id: policy}, verifier=data_stand.verifier), offer_id, agreement_id


def test_fetch__valid_presentation_of_the_type__served_and_logged(
    aeo_offer, signed_by, presented, tax_clerk, data_client
):
    connector, offer_id, agreement_id = aeo_offer
    signed = presented(signed_by(tax_clerk, agreement_id, offer_id))

    _served(connector.handle(signed.body()))

    assert data_client.agreement(agreement_id).transfers == 1


def test_fetch__credential_policy_without_presentation__refused_missing(
    aeo_offer, signed_by, tax_clerk, data_client
):
    connector, offer_id, agreement_id = aeo_offer
    reply = connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body())
    reason = _refused(reply, 403, "credential_missing")
    assert reason == "policy requires a AEOCertificate credential presentation"
    assert data_client.agreement(agreement_id).transfers == 0


def test_fetch__credential_policy_and_no_hub_verifier__refused_unverifiable(
    agreed, connector_for, signed_by, presented, tax_clerk
):
    policy = Policy(purposes=("VAT assessment",), credential_type=AEO)
    offer_id, agreement_id = agreed(policy)
    connector = connector_for({offer_id: policy})
    reply = connector.handle(presented(signed_by(tax_clerk, agreement_id, offer_id)).body())
    reason = _refused(reply, 403, "credential_unverifiable")
    assert reason == "connector has no hub to verify credentials"


def test_fetch__presentation_of_another_type__refused_wrong_type(
    agreed, connector_for, signed_by, presented, tax_clerk, data_stand
):
    policy = Policy(purposes=("VAT assessment",), credential_type="TaxOfficerCredential")
    offer_id, agreement_id = agreed(policy)
    connector = connector_for({offer_id: policy}, verifier=data_stand.verifier)
    reply = connector.handle(presented(signed_by(tax_clerk, agreement_id, offer_id)).body())
    reason = _refused(reply, 403, "credential_wrong_type")
    assert reason == "presentation holds no TaxOfficerCredential credential"


def test_fetch__revoked_credential__refused_invalid_revoked(
    aeo_offer, signed_by, presented, tax_clerk, data_stand
):
    connector, offer_id, agreement_id = aeo_offer
    token, index = data_stand.issue_jwt()
    data_stand.revoke(index)
    reply = connector.handle(presented(signed_by(tax_clerk, agreement_id, offer_id), token).body())
    reason = _refused(reply, 403, "credential_invalid:revoked")
    assert reason.startswith("presentation: revoked: list ")


def test_fetch__suspended_credential__refused_invalid_suspended_then_served_when_reinstated(
    aeo_offer, signed_by, presented, tax_clerk, data_stand
):
    connector, offer_id, agreement_id = aeo_offer
    token, index = data_stand.issue_jwt()
    data_stand.suspend(index)
    reply = connector.handle(presented(signed_by(tax_clerk, agreement_id, offer_id), token).body())
    reason = _refused(reply, 403, "credential_invalid:suspended")
    assert reason.startswith("presentation: suspended: list ")

    data_stand.suspend(index, flag=False)
    _served(connector.handle(presented(signed_by(tax_clerk, agreement_id, offer_id), token).body()))
