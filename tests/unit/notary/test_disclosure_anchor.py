"""Selective disclosure on chain: anchoring under the disclosure schema, and the verifier's check."""

import pytest

from trustspace.notary import disclosure as sd
from trustspace.notary.client import RevocationReason, Status
from trustspace.notary.disclosure import DisclosureError, commit
from trustspace.notary.tree import record_id

RECORD = {"company": "ACME", "vat_exempt": True, "country": "FR"}
CUSTOMS, TAX = 1, 2


def test_ensure_disclosure_schema__registers_once_per_organisation(
    notary, client, customs_notary, tax_notary
):
    assert client.disclosure_schema(CUSTOMS) == 0
    first = client.ensure_disclosure_schema(sender=customs_notary)
    assert client.ensure_disclosure_schema(sender=customs_notary) == first
    assert client.disclosure_schema(CUSTOMS) == first
    schema = client.schema(first)
    assert (schema["org_id"], schema["name"], schema["version"], schema["uri"]) == (
        CUSTOMS,
        sd.SCHEMA_NAME,
        sd.SCHEMA_VERSION,
        sd.SCHEMA_URI,
    )
    assert schema["definition_hash"] == "0x" + sd.SCHEMA_DEFINITION_HASH.hex()
    assert client.ensure_disclosure_schema(sender=tax_notary) not in (0, first)


def test_anchor_disclosure__records_the_anchor_and_verifies_on_chain(
    notary, client, chain, customs_notary
):
    commitment = commit(RECORD, pad_to=4)
    batch, tx = client.anchor_disclosure(commitment, sender=customs_notary)

    (event,) = tx.decode_logs(notary.BatchAnchored)
    assert (event.orgId, event.size, event.schemaId) == (
        CUSTOMS,
        4,
        client.disclosure_schema(CUSTOMS),
    )
    assert batch == record_id(commitment.root, CUSTOMS)
    assert commitment.anchor == {
        "org_id": CUSTOMS,
        "chain_id": chain.chain_id,
        "notary": notary.address,
        "batch_id": "0x" + batch.hex(),
        "tx_hash": str(tx.txn_hash),
    }
    disclosure = commitment.disclose(["vat_exempt"])
    check = client.check_disclosure(disclosure)
    assert check.is_disclosure_root and check.valid and check.problem() is None
    assert client.disclosure_status(disclosure) == {"vat_exempt": Status.VALID}


def test_check_disclosure__revoked_record__not_valid(client, customs_notary):
    commitment = commit(RECORD)
    batch, _ = client.anchor_disclosure(commitment, sender=customs_notary)
    client.revoke(batch, RevocationReason.WITHDRAWN, sender=customs_notary)
    check = client.check_disclosure(commitment.disclose(["country"]))
    assert check.is_disclosure_root and not check.valid
    assert check.fields == {"country": Status.REVOKED}


def test_check_disclosure__never_anchored__names_the_missing_record(client):
    disclosure = commit(RECORD).disclose(["country"], org_id=CUSTOMS)
    check = client.check_disclosure(disclosure)
    assert check.fields == {"country": Status.UNKNOWN} and not check.valid
    with pytest.raises(DisclosureError, match=r"no record 0x[0-9a-f]{64} of organisation 1"):
        client.disclosure_status(disclosure)


def test_check_disclosure__no_organisation__raises(client):
    with pytest.raises(DisclosureError, match="names no organisation"):
        client.check_disclosure(commit(RECORD).disclose(["country"]))


def test_check_disclosure__other_organisation_claimed__not_found(client, customs_notary):
    # The record id binds the organisation: a customs disclosure relabelled as tax's is unknown.
    commitment = commit(RECORD)
    client.anchor_disclosure(commitment, sender=customs_notary)
    check = client.check_disclosure(commitment.disclose(["country"], org_id=TAX))
    assert check.fields == {"country": Status.UNKNOWN} and not check.valid
