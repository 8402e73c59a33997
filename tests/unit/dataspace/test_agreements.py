"""DataService negotiation: request → agree → finalize, k-of-n approvals, termination, liveness."""

import ape

from trustspace.consortium.constants import OrgKind
from trustspace.dataspace.client import Standing, State, purpose_hash
from trustspace.dataspace.policy import Policy


def test_request__tax_admin__requested_and_emits_purpose(
    data_service, data_client, offered, tax_admin
):
    offer_id = offered()

    tx = data_service.requestAgreement(offer_id, "VAT assessment", sender=tax_admin)

    (event,) = tx.decode_logs(data_service.AgreementRequested)
    assert (event.offerId, event.consumerOrg, event.providerOrg) == (offer_id, 2, 1)
    assert (event.offerVersion, event.account, event.purpose) == (
        1,
        tax_admin.address,
        "VAT assessment",
    )
    assert bytes(event.purposeHash) == purpose_hash("VAT assessment")
    a = data_client.agreement(event.agreementId)
    assert (a.state, a.consumer_org, a.provider_org, a.transfers) == (State.REQUESTED, 2, 1, 0)
    assert data_client.standing(event.agreementId) == Standing.NOT_FINALIZED


def test_request__organisation_kind_not_admitted__reverts(
    data_service, data_client, offered, maritime_admin
):
    offer_id = offered()
    with ape.reverts(data_service.DataServiceConsumerNotAllowed, offerId=offer_id, orgId=3):
        data_client.request(offer_id, "VAT assessment", sender=maritime_admin)


def test_request__organisation_listed_by_id__admitted(data_client, offered, maritime_admin):
    offer_id = offered(Policy(purposes=("p",), consumer_orgs=(3,), consumer_kinds=(OrgKind.TAX,)))
    agreement_id, _ = data_client.request(offer_id, "p", sender=maritime_admin)
    assert data_client.agreement(agreement_id).consumer_org == 3


def test_request__unknown_offer__reverts(data_service, data_client, tax_admin):
    with ape.reverts(data_service.DataServiceUnknownOffer, offerId=77):
        data_client.request(77, "VAT assessment", sender=tax_admin)


def test_request__offer_validity_over__reverts(
    data_service, data_client, offered, tax_admin, chain
):
    until = chain.pending_timestamp + 100
    offer_id = offered(Policy(purposes=("p",), valid_until=until))
    chain.pending_timestamp += 200
    with ape.reverts(data_service.DataServiceOfferExpired, offerId=offer_id, validUntil=until):
        data_client.request(offer_id, "p", sender=tax_admin)


def test_request__clerk_without_admin__reverts(data_service, data_client, offered, tax_clerk):
    offer_id = offered()
    with ape.reverts(data_service.DataServiceNotAdmin, account=tax_clerk.address):
        data_client.request(offer_id, "VAT assessment", sender=tax_clerk)


def test_accept__provider_admin__agreed_and_finalized(
    data_service, data_client, offered, customs_admin, tax_admin
):
    agreement_id, _ = data_client.request(offered(), "VAT assessment", sender=tax_admin)

    tx = data_client.accept(agreement_id, sender=customs_admin)

    (agreed,) = tx.decode_logs(data_service.AgreementAgreed)
    assert (agreed.agreementId, agreed.providerOrg, agreed.account) == (
        agreement_id,
        1,
        customs_admin.address,
    )
    (finalized,) = tx.decode_logs(data_service.AgreementFinalized)
    assert finalized.agreementId == agreement_id
    assert data_client.agreement(agreement_id).state == State.FINALIZED
    assert data_client.standing(agreement_id) == Standing.LIVE


def test_accept__consumer_admin__reverts(data_service, data_client, offered, tax_admin):
    agreement_id, _ = data_client.request(offered(), "VAT assessment", sender=tax_admin)
    with ape.reverts(data_service.DataServiceNotParty, agreementId=agreement_id, orgId=2):
        data_client.accept(agreement_id, sender=tax_admin)


def test_accept__twice__reverts(data_service, data_client, agreed, customs_admin):
    _, agreement_id = agreed()
    with ape.reverts(
        data_service.DataServiceWrongState, agreementId=agreement_id, state=int(State.FINALIZED)
    ):
        data_client.accept(agreement_id, sender=customs_admin)


def test_accept__unknown_agreement__reverts(data_service, data_client, customs_admin):
    with ape.reverts(data_service.DataServiceUnknownAgreement, agreementId=404):
        data_client.accept(404, sender=customs_admin)


def test_accept__consumer_suspended__reverts(
    data_service,
    data_client,
    offered,
    customs_admin,
    tax_admin,
    data_gov,
    approvers,
    maritime_admin,
):
    agreement_id, _ = data_client.request(offered(), "VAT assessment", sender=tax_admin)
    data_gov.enact("suspend_org", approvers=[approvers[0], maritime_admin], org_id=2)
    with ape.reverts(
        data_service.DataServiceNotLive,
        agreementId=agreement_id,
        standing=int(Standing.CONSUMER_NOT_LIVE),
    ):
        data_client.accept(agreement_id, sender=customs_admin)


def test_approve__two_of_n_organisations__finalizes_on_the_second(
    data_service, data_client, agreed, customs_admin, customs_admin_2, maritime_admin
):
    _, agreement_id = agreed(Policy(purposes=("VAT assessment",), approvals=2))
    assert data_client.agreement(agreement_id).state == State.AGREED

    data_client.approve(agreement_id, sender=customs_admin)
    with ape.reverts(data_service.DataServiceAlreadyApproved, agreementId=agreement_id, orgId=1):
        data_client.approve(agreement_id, sender=customs_admin_2)
    assert data_client.standing(agreement_id) == Standing.NOT_FINALIZED
    tx = data_client.approve(agreement_id, sender=maritime_admin)

    (approved,) = tx.decode_logs(data_service.AgreementApproved)
    assert (approved.orgId, approved.account, approved.approvals) == (
        3,
        maritime_admin.address,
        2,
    )
    assert len(tx.decode_logs(data_service.AgreementFinalized)) == 1
    assert data_client.agreement(agreement_id).state == State.FINALIZED


def test_approve__not_agreed_yet__reverts(data_service, data_client, offered, tax_admin):
    agreement_id, _ = data_client.request(offered(), "VAT assessment", sender=tax_admin)
    with ape.reverts(
        data_service.DataServiceWrongState, agreementId=agreement_id, state=int(State.REQUESTED)
    ):
        data_client.approve(agreement_id, sender=tax_admin)


def test_terminate__consumer__terminated_and_emits(data_service, data_client, agreed, tax_admin):
    _, agreement_id = agreed()

    tx = data_client.terminate(agreement_id, "no longer needed", sender=tax_admin)

    (event,) = tx.decode_logs(data_service.AgreementTerminated)
    assert (event.agreementId, event.orgId, event.account) == (agreement_id, 2, tax_admin.address)
    assert data_client.standing(agreement_id) == Standing.TERMINATED
    with ape.reverts(
        data_service.DataServiceWrongState, agreementId=agreement_id, state=int(State.TERMINATED)
    ):
        data_client.terminate(agreement_id, sender=tax_admin)


def test_terminate__third_organisation__reverts(data_service, data_client, agreed, maritime_admin):
    _, agreement_id = agreed()
    with ape.reverts(data_service.DataServiceNotParty, agreementId=agreement_id, orgId=3):
        data_client.terminate(agreement_id, sender=maritime_admin)


def test_standing__provider_suspended_then_reinstated__dies_then_lives(
    data_client, agreed, data_gov, approvers, maritime_admin
):
    _, agreement_id = agreed()
    data_gov.enact("suspend_org", approvers=approvers, org_id=1)
    assert data_client.standing(agreement_id) == Standing.PROVIDER_NOT_LIVE
    data_gov.enact("reinstate_org", approvers=[approvers[1], maritime_admin], org_id=1)
    assert data_client.standing(agreement_id) == Standing.LIVE


def test_standing__validity_window__not_yet_then_live_then_expired(data_client, agreed, chain):
    now = chain.pending_timestamp
    _, agreement_id = agreed(
        Policy(purposes=("VAT assessment",), valid_from=now + 100, valid_until=now + 200)
    )
    assert data_client.standing(agreement_id) == Standing.NOT_YET_VALID
    chain.pending_timestamp += 150
    chain.mine()
    assert data_client.standing(agreement_id) == Standing.LIVE
    chain.pending_timestamp += 100
    chain.mine()
    assert data_client.standing(agreement_id) == Standing.EXPIRED


def test_standing__unknown_agreement__unknown(data_client):
    assert data_client.standing(12345) == Standing.UNKNOWN
