"""DataService catalog: publish, update (new version), withdraw, and every rejection."""

import ape

from trustspace.consortium.constants import OrgKind
from trustspace.dataspace.policy import Policy

SCHEMA = b"\x01" * 32
DESCRIPTION = b"\x02" * 32


def test_publish_offer__customs_admin__records_version_1_and_emits(
    data_service, data_client, customs_admin, vat_policy
):
    tx = data_service.publishOffer(
        "Customs declarations",
        SCHEMA,
        DESCRIPTION,
        vat_policy.digest(),
        vat_policy.terms(),
        sender=customs_admin,
    )

    (event,) = tx.decode_logs(data_service.OfferPublished)
    offer_id = event.offerId
    assert (event.providerOrg, event.version, event.account) == (1, 1, customs_admin.address)
    assert (event.title, bytes(event["schema"]), bytes(event.descriptionDigest)) == (
        "Customs declarations",
        SCHEMA,
        DESCRIPTION,
    )
    assert bytes(event.policyDigest) == vat_policy.digest()
    assert event.terms[4] == 3  # maxTransfers
    assert event.terms[1] == 1 << int(OrgKind.TAX)  # consumerKinds
    offer = data_client.offer(offer_id)
    assert (offer.provider_org, offer.version, offer.withdrawn) == (1, 1, False)
    assert offer.policy_digest == vat_policy.digest()
    assert data_service.offerCount() == offer_id


def test_publish_offer__account_without_admin__reverts(data_service, customs_notary, vat_policy):
    with ape.reverts(data_service.DataServiceNotAdmin, account=customs_notary.address):
        data_service.publishOffer(
            "t", SCHEMA, DESCRIPTION, vat_policy.digest(), vat_policy.terms(), sender=customs_notary
        )


def test_publish_offer__validity_ending_before_it_starts__reverts(
    data_service, customs_admin, chain
):
    now = chain.pending_timestamp
    terms: tuple[list[int], int, int, int, int, int] = ([], 0, now + 100, now + 50, 0, 0)
    with ape.reverts(data_service.DataServiceBadTerms, validFrom=now + 100, validUntil=now + 50):
        data_service.publishOffer("t", SCHEMA, DESCRIPTION, SCHEMA, terms, sender=customs_admin)


def test_update_offer__provider__new_version_and_old_terms_kept(
    data_service, data_client, offered, customs_admin, vat_policy
):
    offer_id = offered()
    wider = Policy(purposes=("VAT assessment", "statistics"), max_transfers=10)

    version, tx = data_client.update_offer(
        offer_id, "Customs declarations v2", SCHEMA, DESCRIPTION, wider, sender=customs_admin
    )

    assert version == 2
    (event,) = tx.decode_logs(data_service.OfferPublished)
    assert (event.offerId, event.version, event.title) == (offer_id, 2, "Customs declarations v2")
    assert data_client.offer(offer_id).policy_digest == wider.digest()
    assert data_service.terms(offer_id, 1).maxTransfers == 3
    assert data_service.terms(offer_id, 2).maxTransfers == 10


def test_update_offer__other_organisation__reverts(
    data_service, data_client, offered, tax_admin, vat_policy
):
    offer_id = offered()
    with ape.reverts(data_service.DataServiceNotProvider, offerId=offer_id, orgId=2):
        data_client.update_offer(offer_id, "t", SCHEMA, DESCRIPTION, vat_policy, sender=tax_admin)


def test_update_offer__unknown_offer__reverts(data_service, data_client, customs_admin, vat_policy):
    with ape.reverts(data_service.DataServiceUnknownOffer, offerId=999):
        data_client.update_offer(999, "t", SCHEMA, DESCRIPTION, vat_policy, sender=customs_admin)


def test_withdraw_offer__provider__emits_and_refuses_requests(
    data_service, data_client, offered, customs_admin, tax_admin
):
    offer_id = offered()

    tx = data_client.withdraw_offer(offer_id, sender=customs_admin)

    (event,) = tx.decode_logs(data_service.OfferWithdrawn)
    assert (event.offerId, event.providerOrg, event.account) == (offer_id, 1, customs_admin.address)
    assert data_client.offer(offer_id).withdrawn
    with ape.reverts(data_service.DataServiceOfferWithdrawn, offerId=offer_id):
        data_client.request(offer_id, "VAT assessment", sender=tax_admin)
    with ape.reverts(data_service.DataServiceOfferWithdrawn, offerId=offer_id):
        data_client.withdraw_offer(offer_id, sender=customs_admin)
