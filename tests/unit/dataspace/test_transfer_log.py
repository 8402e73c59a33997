"""DataService transfer log: one by one and batched under a Merkle root, count limit, refusals."""

import ape

from trustspace.crypto.hashing import hash_bytes
from trustspace.dataspace.client import Standing
from trustspace.dataspace.policy import Policy
from trustspace.dataspace.records import TransferRecord
from trustspace.notary.tree import verify


def _record(agreement_id, consumer, n, time=0):
    return TransferRecord(
        agreement_id,
        consumer.address,
        hash_bytes(b"payload %d" % n),
        100 + n,
        hash_bytes(b"request %d" % n),
        time,
    )


def test_log_transfer__connector__counts_and_emits(
    data_service, data_client, agreed, customs_notary, tax_clerk, chain
):
    _, agreement_id = agreed()
    record = _record(agreement_id, tax_clerk, 1)

    tx = data_service.logTransfer(
        agreement_id,
        tax_clerk,
        record.payload_digest,
        record.size,
        record.request_id,
        sender=customs_notary,
    )

    (event,) = tx.decode_logs(data_service.TransferLogged)
    assert (event.agreementId, event.consumer, event.transferNo) == (
        agreement_id,
        tax_clerk.address,
        1,
    )
    assert (bytes(event.payloadDigest), event.size, bytes(event.requestId)) == (
        record.payload_digest,
        record.size,
        record.request_id,
    )
    assert (event.time, event.connector) == (chain.blocks.head.timestamp, customs_notary.address)
    assert data_client.agreement(agreement_id).transfers == 1
    assert data_client.logged_digest(record.request_id) == record.payload_digest


def test_log_transfer__same_request_twice__reverts(
    data_service, data_client, agreed, customs_notary, tax_clerk
):
    _, agreement_id = agreed()
    record = _record(agreement_id, tax_clerk, 1)
    data_client.log_transfer(record, sender=customs_notary)
    with ape.reverts(data_service.DataServiceAlreadyLogged, key=record.request_id):
        data_client.log_transfer(record, sender=customs_notary)


def test_log_transfer__count_exhausted__reverts(
    data_service, data_client, agreed, customs_notary, tax_clerk
):
    _, agreement_id = agreed()  # vat_policy: at most 3 transfers
    for n in range(3):
        data_client.log_transfer(_record(agreement_id, tax_clerk, n), sender=customs_notary)
    assert data_client.standing(agreement_id) == Standing.EXHAUSTED
    with ape.reverts(
        data_service.DataServiceExhausted,
        agreementId=agreement_id,
        transfers=3,
        count=1,
        maxTransfers=3,
    ):
        data_client.log_transfer(_record(agreement_id, tax_clerk, 9), sender=customs_notary)


def test_log_transfer__terminated__reverts(
    data_service, data_client, agreed, customs_notary, customs_admin, tax_clerk
):
    _, agreement_id = agreed()
    data_client.terminate(agreement_id, sender=customs_admin)
    with ape.reverts(
        data_service.DataServiceNotLive,
        agreementId=agreement_id,
        standing=int(Standing.TERMINATED),
    ):
        data_client.log_transfer(_record(agreement_id, tax_clerk, 1), sender=customs_notary)


def test_log_transfer__consumer_of_another_organisation__reverts(
    data_service, data_client, agreed, customs_notary, maritime_admin
):
    _, agreement_id = agreed()
    with ape.reverts(
        data_service.DataServiceWrongConsumer,
        agreementId=agreement_id,
        consumer=maritime_admin.address,
    ):
        data_client.log_transfer(_record(agreement_id, maritime_admin, 1), sender=customs_notary)


def test_log_transfer__admin_without_notary__reverts(
    data_service, data_client, agreed, customs_admin, tax_clerk
):
    _, agreement_id = agreed()
    with ape.reverts(data_service.DataServiceNotConnector, account=customs_admin.address):
        data_client.log_transfer(_record(agreement_id, tax_clerk, 1), sender=customs_admin)


def test_log_transfer__connector_of_the_consumer__reverts(
    data_service, data_client, agreed, tax_clerk, data_gov, approvers, tax_notary
):
    _, agreement_id = agreed()
    data_gov.enact("add_account", approvers=approvers, org_id=2, account=tax_notary)
    data_gov.enact("grant_role", approvers=approvers, account=tax_notary, roles=2, expiry=0)
    with ape.reverts(data_service.DataServiceNotParty, agreementId=agreement_id, orgId=2):
        data_client.log_transfer(_record(agreement_id, tax_clerk, 1), sender=tax_notary)


def test_log_transfer__zero_digest__reverts(data_service, agreed, customs_notary, tax_clerk):
    _, agreement_id = agreed()
    with ape.reverts(data_service.DataServiceEmptyRecord, agreementId=agreement_id):
        data_service.logTransfer(
            agreement_id, tax_clerk, bytes(32), 1, b"\x01" * 32, sender=customs_notary
        )


def test_log_batch__five_transfers__counted_and_each_provable(
    data_service, data_client, agreed, customs_notary, tax_clerk
):
    _, agreement_id = agreed(Policy(purposes=("VAT assessment",), max_transfers=10))
    records = [_record(agreement_id, tax_clerk, n, time=1000 + n) for n in range(5)]

    tree, tx = data_client.log_batch(agreement_id, records, sender=customs_notary)

    (event,) = tx.decode_logs(data_service.TransfersBatched)
    assert (event.agreementId, bytes(event.root), event.firstNo, event.count) == (
        agreement_id,
        tree.root,
        1,
        5,
    )
    assert event.connector == customs_notary.address
    assert data_client.agreement(agreement_id).transfers == 5
    assert data_client.batch_count(agreement_id, tree.root) == 5
    for i, record in enumerate(records):
        assert record.digest() == data_service.transferRecord(
            record.agreement_id,
            record.consumer,
            record.payload_digest,
            record.size,
            record.request_id,
            record.time,
        )
        assert data_client.is_included(tree.root, record, i, tree.proof(i))
        assert verify(tree.root, tree.size, record.digest(), i, tree.proof(i))
    forged = _record(agreement_id, tax_clerk, 99, time=1000)
    assert not data_client.is_included(tree.root, forged, 0, tree.proof(0))
    assert not data_client.is_included(tree.root, records[1], 0, tree.proof(1))


def test_log_batch__over_the_count__reverts(
    data_service, data_client, agreed, customs_notary, tax_clerk
):
    _, agreement_id = agreed()  # at most 3
    records = [_record(agreement_id, tax_clerk, n) for n in range(4)]
    with ape.reverts(
        data_service.DataServiceExhausted,
        agreementId=agreement_id,
        transfers=0,
        count=4,
        maxTransfers=3,
    ):
        data_client.log_batch(agreement_id, records, sender=customs_notary)


def test_log_batch__same_root_twice__reverts(
    data_service, data_client, agreed, customs_notary, tax_clerk
):
    _, agreement_id = agreed()
    records = [_record(agreement_id, tax_clerk, 1)]
    tree, _ = data_client.log_batch(agreement_id, records, sender=customs_notary)
    with ape.reverts(data_service.DataServiceAlreadyLogged, key=tree.root):
        data_client.log_batch(agreement_id, records, sender=customs_notary)


def test_log_batch__empty__reverts(data_service, agreed, customs_notary):
    _, agreement_id = agreed()
    with ape.reverts(data_service.DataServiceEmptyRecord, agreementId=agreement_id):
        data_service.logTransferBatch(agreement_id, b"\x01" * 32, 0, sender=customs_notary)
