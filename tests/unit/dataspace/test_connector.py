"""The connector's request path (in process, no HTTP): each refusal reason of the issue is its
own test, each next to a served neighbour; the journal keeps replays out and restarts honest."""

import json

import pytest

from trustspace.crypto.hashing import hash_bytes, to_hex
from trustspace.dataspace.client import Standing
from trustspace.dataspace.connector import serve_in_background
from trustspace.dataspace.consumer import (
    RefusedError,
    VerificationError,
    check_batch_proof,
    fetch,
    fetch_batch_proof,
    verify_payload,
)
from trustspace.dataspace.journal import Journal
from trustspace.dataspace.policy import Policy
from trustspace.dataspace.records import TransferRecord, batch_tree
from trustspace.devnet.chains import free_port
from trustspace.notary.tree import verify


def _served(reply):
    assert reply.status == 200, reply.body
    return reply


def _refused(reply, status, code):
    assert (reply.status, reply.error["error"]) == (status, code), reply.body
    return reply.error["reason"]


def test_fetch__live_agreement__served_logged_and_verified(
    agreed, connector_for, signed_by, tax_clerk, data_client, vat_policy
):
    offer_id, agreement_id = agreed()
    connector = connector_for({offer_id: vat_policy})
    signed = signed_by(tax_clerk, agreement_id, offer_id)

    reply = _served(connector.handle(signed.body()))

    digest = hash_bytes(reply.body)
    assert reply.headers["x-payload-digest"] == to_hex(digest)
    request_id = signed.request.request_id(data_client.chain_id, data_client.address)
    assert data_client.logged_digest(request_id) == digest
    assert data_client.agreement(agreement_id).transfers == 1
    result = verify_payload(reply.body, reply.headers, signed, data_client)
    assert (result.digest, result.logged) == (digest, "logged")
    assert [e.state for e in connector.journal.entries()] == ["logged"]


def test_fetch__no_agreement__refused(agreed, connector_for, signed_by, tax_clerk, vat_policy):
    offer_id, _ = agreed()
    connector = connector_for({offer_id: vat_policy})
    reason = _refused(
        connector.handle(signed_by(tax_clerk, 999, offer_id).body()), 404, "no_agreement"
    )
    assert reason == "no such agreement"


def test_fetch__agreement_expired__refused(
    agreed, connector_for, signed_by, tax_clerk, chain, data_client
):
    policy = Policy(purposes=("VAT assessment",), valid_until=chain.pending_timestamp + 100)
    offer_id, agreement_id = agreed(policy)
    connector = connector_for({offer_id: policy})
    _served(connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body()))
    chain.pending_timestamp += 200
    chain.mine()

    reply = connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body())

    assert _refused(reply, 403, "expired") == "agreement expired"
    assert data_client.agreement(agreement_id).transfers == 1


def test_fetch__agreement_terminated__refused(
    agreed, connector_for, signed_by, tax_clerk, customs_admin, data_client, vat_policy
):
    offer_id, agreement_id = agreed()
    connector = connector_for({offer_id: vat_policy})
    data_client.terminate(agreement_id, "ended", sender=customs_admin)
    reply = connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body())
    assert _refused(reply, 403, "terminated") == "agreement terminated"


def test_fetch__count_exhausted__refused_after_the_third(
    agreed, connector_for, signed_by, tax_clerk, data_client, vat_policy
):
    offer_id, agreement_id = agreed()  # at most 3 transfers
    connector = connector_for({offer_id: vat_policy})
    for _ in range(3):
        _served(connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body()))
    reply = connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body())
    assert _refused(reply, 403, "exhausted") == "maximum number of transfers reached"
    assert data_client.agreement(agreement_id).transfers == 3


def test_fetch__signer_of_another_organisation__refused(
    agreed, connector_for, signed_by, maritime_admin, vat_policy
):
    offer_id, agreement_id = agreed()
    connector = connector_for({offer_id: vat_policy})
    reply = connector.handle(signed_by(maritime_admin, agreement_id, offer_id).body())
    _refused(reply, 403, "wrong_organisation")


def test_fetch__consumer_organisation_suspended__refused(
    agreed, connector_for, signed_by, tax_clerk, data_gov, customs_admin, maritime_admin, vat_policy
):
    offer_id, agreement_id = agreed()
    connector = connector_for({offer_id: vat_policy})
    data_gov.enact("suspend_org", approvers=[customs_admin, maritime_admin], org_id=2)
    reply = connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body())
    assert _refused(reply, 403, "consumer_not_live") == "consumer organisation suspended or removed"


def test_fetch__replayed_request__refused_and_logged_once(
    agreed, connector_for, signed_by, tax_clerk, data_client, vat_policy
):
    offer_id, agreement_id = agreed()
    connector = connector_for({offer_id: vat_policy})
    body = signed_by(tax_clerk, agreement_id, offer_id).body()
    _served(connector.handle(body))

    assert _refused(connector.handle(body), 409, "replayed") == "request already used"
    assert data_client.agreement(agreement_id).transfers == 1


def test_fetch__replayed_after_restart__refused(
    agreed, connector_for, signed_by, tax_clerk, tmp_path, vat_policy
):
    offer_id, agreement_id = agreed()
    body = signed_by(tax_clerk, agreement_id, offer_id).body()
    _served(connector_for({offer_id: vat_policy}).handle(body))

    restarted = connector_for({offer_id: vat_policy}, journal=Journal(tmp_path / "journal.sqlite"))

    _refused(restarted.handle(body), 409, "replayed")


def test_fetch__forged_request__refused(
    agreed, connector_for, signed_by, tax_clerk, outsider, vat_policy
):
    offer_id, agreement_id = agreed()
    connector = connector_for({offer_id: vat_policy})
    doc = signed_by(outsider, agreement_id, offer_id).to_json()
    doc["consumer"] = tax_clerk.address  # signed by the outsider's key, claims the tax clerk
    reply = connector.handle(json.dumps(doc).encode())
    assert _refused(reply, 401, "forged") == "signature does not match the consumer"


def test_fetch__purpose_not_in_policy__refused(
    agreed, connector_for, signed_by, tax_clerk, vat_policy
):
    offer_id, agreement_id = agreed(purpose="marketing")
    connector = connector_for({offer_id: vat_policy})
    reply = connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body())
    _refused(reply, 403, "purpose")


def test_fetch__agreement_not_finalized__refused(
    offered, connector_for, signed_by, tax_clerk, tax_admin, data_client, vat_policy
):
    offer_id = offered()
    agreement_id, _ = data_client.request(offer_id, "VAT assessment", sender=tax_admin)
    reply = connector_for({offer_id: vat_policy}).handle(
        signed_by(tax_clerk, agreement_id, offer_id).body()
    )
    _refused(reply, 403, "not_finalized")


def test_fetch__batched_mode__served_then_logged_under_one_root_with_proofs(
    agreed, connector_for, signed_by, tax_clerk, data_client
):
    policy = Policy(purposes=("VAT assessment",), max_transfers=10)
    offer_id, agreement_id = agreed(policy)
    connector = connector_for({offer_id: policy}, batch_size=3)

    replies = [
        _served(connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body()))
        for _ in range(4)
    ]

    assert {r.headers["x-logged"] for r in replies} == {"batched"}
    assert data_client.agreement(agreement_id).transfers == 3  # the first batch of 3
    assert connector.flush() == 1
    assert data_client.agreement(agreement_id).transfers == 4
    entries = connector.journal.entries("logged")
    assert len(entries) == 4
    first = [
        e for e in entries if e.batch_index is not None and e.batch_root == entries[0].batch_root
    ]
    records = [
        TransferRecord(e.agreement_id, e.consumer, e.payload, e.size, e.request_id, e.time)
        for e in first
    ]

    tree = batch_tree(records)
    assert tree.root == entries[0].batch_root
    for i, record in enumerate(records):
        assert data_client.is_included(tree.root, record, i, tree.proof(i))
        assert verify(tree.root, tree.size, record.digest(), i, tree.proof(i))


def test_recover__pending_logged_before_the_kill__marked_not_logged_again(
    agreed, connector_for, tax_clerk, data_client, customs_notary, vat_policy
):
    offer_id, agreement_id = agreed()
    connector = connector_for({offer_id: vat_policy})
    logged = TransferRecord(agreement_id, tax_clerk.address, b"\x0a" * 32, 10, b"\x0b" * 32, 1)
    lost = TransferRecord(agreement_id, tax_clerk.address, b"\x0c" * 32, 10, b"\x0d" * 32, 1)
    for record in (logged, lost):
        connector.journal.claim(record.request_id, agreement_id, tax_clerk.address, 1, 2)
        connector.journal.prepare(record.request_id, record.payload_digest, 10, "pending")
    # The kill came after the first log transaction was sent, before the journal heard of it.
    data_client.log_transfer(logged, sender=customs_notary)

    done = connector.recover()

    assert (done["pending_logged"], done["pending_dropped"]) == (1, 1)
    assert data_client.agreement(agreement_id).transfers == 1
    states = {e.request_id: e.state for e in connector.journal.entries()}
    assert states == {logged.request_id: "logged", lost.request_id: "refused"}


def test_recover__batch_sent_before_the_kill__not_sent_again(
    agreed, connector_for, signed_by, tax_clerk, data_client, customs_notary
):
    policy = Policy(purposes=("VAT assessment",), max_transfers=10)
    offer_id, agreement_id = agreed(policy)
    connector = connector_for({offer_id: policy}, batch_size=100)
    for _ in range(2):
        _served(connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body()))
    entries = connector.journal.entries("queued")
    records = [
        TransferRecord(e.agreement_id, e.consumer, e.payload, e.size, e.request_id, e.time)
        for e in entries
    ]

    root = batch_tree(records).root
    connector.journal.assign_batch(agreement_id, [e.request_id for e in entries], root)
    data_client.log_batch(agreement_id, records, sender=customs_notary)  # then the kill

    done = connector.recover()

    assert done["batches_resent"] == 1
    assert data_client.agreement(agreement_id).transfers == 2
    assert [e.state for e in connector.journal.entries()] == ["logged", "logged"]
    assert data_client.standing(agreement_id) == Standing.LIVE


def test_batch_proof__served_transfer__proof_checks_on_chain_and_other_transfer_refused(
    agreed, connector_for, signed_by, tax_clerk, data_client
):
    policy = Policy(purposes=("VAT assessment",), max_transfers=10)
    offer_id, agreement_id = agreed(policy)
    connector = connector_for({offer_id: policy}, batch_size=2)
    signed = [signed_by(tax_clerk, agreement_id, offer_id) for _ in range(3)]
    replies = [_served(connector.handle(s.body())) for s in signed]
    ids = [s.request.request_id(data_client.chain_id, data_client.address) for s in signed]
    digest = hash_bytes(replies[0].body)

    assert connector.proof(ids[2]) is None  # served, not batched yet
    proof = connector.proof(ids[1])
    assert proof is not None and (proof["index"], proof["count"]) == (1, 2)
    check_batch_proof(data_client, proof, digest, ids[1])
    with pytest.raises(VerificationError, match="another transfer"):
        check_batch_proof(data_client, proof, digest, ids[0])
    forged = {**proof, "index": 0}
    with pytest.raises(VerificationError, match="not in a logged batch"):
        check_batch_proof(data_client, forged, digest, ids[1])


def test_http__batched_fetch_then_proof__payload_and_inclusion_verified(
    agreed, connector_for, signed_by, tax_clerk, data_client
):
    policy = Policy(purposes=("VAT assessment",), max_transfers=10)
    offer_id, agreement_id = agreed(policy)
    connector = connector_for({offer_id: policy}, batch_size=1)
    port = free_port()
    with serve_in_background(connector, port) as url:
        signed = signed_by(tax_clerk, agreement_id, offer_id)

        result = fetch(url, signed, data_client)

        assert result.logged == "batched"
        proof = fetch_batch_proof(url, result.request_id)
        assert proof is not None
        check_batch_proof(data_client, proof, result.digest, result.request_id)
        assert fetch_batch_proof(url, b"\x05" * 32) is None
        with pytest.raises(RefusedError, match="request already used"):
            fetch(url, signed, data_client)


def test_flush__batch_bound_but_never_sent__sent_with_the_same_root(
    agreed, connector_for, signed_by, tax_clerk, data_client
):
    policy = Policy(purposes=("VAT assessment",), max_transfers=10)
    offer_id, agreement_id = agreed(policy)
    connector = connector_for({offer_id: policy}, batch_size=100)
    for _ in range(2):
        _served(connector.handle(signed_by(tax_clerk, agreement_id, offer_id).body()))
    entries = connector.journal.entries("queued")
    records = [
        TransferRecord(e.agreement_id, e.consumer, e.payload, e.size, e.request_id, e.time)
        for e in entries
    ]
    root = batch_tree(records).root
    # The send failed (chain down) after the batch was bound: the journal holds it as batched.
    connector.journal.assign_batch(agreement_id, [e.request_id for e in entries], root)

    assert connector.flush() == 2

    assert data_client.batch_count(agreement_id, root) == 2
    assert data_client.agreement(agreement_id).transfers == 2
    assert connector.flush() == 0


def test_fetch__agreement_of_an_older_offer_version__checked_against_that_versions_policy(
    agreed, connector_for, signed_by, tax_clerk, vat_policy, data_client, customs_admin
):
    from tests.utils.fixtures.dataspace import DESCRIPTION, SCHEMA
    from trustspace.dataspace.connector import Dataset

    offer_id, agreement_id = agreed()  # under version 1: "VAT assessment"
    audit = Policy(purposes=("audit",))
    data_client.update_offer(offer_id, "v2", SCHEMA, DESCRIPTION, audit, sender=customs_admin)
    latest_only = connector_for({offer_id: audit})
    refused = latest_only.handle(signed_by(tax_clerk, agreement_id, offer_id).body())
    _refused(refused, 403, "purpose")
    both = connector_for({offer_id: audit})
    both.datasets[offer_id] = Dataset(
        offer_id, both.datasets[offer_id].path, audit, {1: vat_policy}
    )
    _served(both.handle(signed_by(tax_clerk, agreement_id, offer_id).body()))


def test_fetch__request_for_another_url__refusal_names_the_connectors_url(
    agreed, connector_for, signed_by, tax_clerk, vat_policy
):
    offer_id, agreement_id = agreed()
    connector = connector_for({offer_id: vat_policy})
    signed = signed_by(tax_clerk, agreement_id, offer_id, audience="http://other.example")
    reason = _refused(connector.handle(signed.body()), 401, "wrong_audience")
    assert reason == (
        f"request is for another connector: this connector is {connector.audience} "
        f"(sign for it: --connector {connector.audience})"
    )
