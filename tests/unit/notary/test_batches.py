"""Batches: one root for many documents, on-chain inclusion, single-document revocation."""

import ape
import pytest

from trustspace.crypto.hashing import hash_bytes
from trustspace.notary.client import Status
from trustspace.notary.tree import MerkleTree, node_hash, record_id

DOCS = [hash_bytes(f"doc {i}".encode()) for i in range(7)]


@pytest.fixture
def batch(client, schema_id, customs_notary):
    tree = MerkleTree(DOCS)
    batch_id, _ = client.anchor_batch(tree, schema_id, sender=customs_notary)
    return batch_id, tree


def test_anchor_batch__notary__records_and_emits(notary, client, schema_id, customs_notary):
    tree = MerkleTree(DOCS)
    tx = notary.anchorBatch(tree.root, tree.size, schema_id, 0, sender=customs_notary)

    (event,) = tx.decode_logs(notary.BatchAnchored)
    assert bytes(event.id) == record_id(tree.root, 1)
    assert bytes(event.root) == tree.root
    assert (event.orgId, event.attester, event.schemaId, event.size, event.expiresAt) == (
        1,
        customs_notary.address,
        schema_id,
        7,
        0,
    )
    rec = client.record(bytes(event.id))
    assert (rec.kind.name, rec.size, rec.org_id) == ("BATCH", 7, 1)
    assert client.status(rec.id) == Status.VALID


def test_anchor_batch__empty__reverts(notary, schema_id, customs_notary):
    root = hash_bytes(b"r")
    with ape.reverts(notary.NotaryEmptyBatch, root=root):
        notary.anchorBatch(root, 0, schema_id, 0, sender=customs_notary)


def test_anchor_batch__zero_root__reverts(notary, schema_id, customs_notary):
    with ape.reverts(notary.NotaryZeroDigest):
        notary.anchorBatch(bytes(32), 1, schema_id, 0, sender=customs_notary)


def test_anchor_batch__same_root_twice__reverts(notary, batch, schema_id, customs_notary):
    _, tree = batch
    with ape.reverts(notary.NotaryAlreadyAttested, digest=tree.root, orgId=1):
        notary.anchorBatch(tree.root, tree.size, schema_id, 0, sender=customs_notary)


def test_anchor_batch__outsider__reverts(notary, schema_id, outsider):
    with ape.reverts(notary.NotaryNotNotary):
        notary.anchorBatch(hash_bytes(b"r"), 1, schema_id, 0, sender=outsider)


def test_verify_inclusion__every_document__true(notary, batch):
    batch_id, tree = batch
    for i, doc in enumerate(DOCS):
        assert notary.verifyInclusion(batch_id, doc, i, tree.proof(i))
        assert notary.isDocumentValid(batch_id, doc, i, tree.proof(i))


def test_verify_inclusion__wrong_index_document_or_length__false(notary, batch):
    batch_id, tree = batch
    proof = tree.proof(2)
    assert not notary.verifyInclusion(batch_id, DOCS[2], 3, proof)
    assert not notary.verifyInclusion(batch_id, DOCS[3], 2, proof)
    assert not notary.verifyInclusion(batch_id, DOCS[2], 2, proof[:-1])
    assert not notary.verifyInclusion(batch_id, DOCS[2], 2, [*proof, bytes(32)])
    assert not notary.verifyInclusion(batch_id, DOCS[2], 7, proof)  # index >= size
    assert not notary.verifyInclusion(hash_bytes(b"no batch"), DOCS[2], 2, proof)


def test_verify_inclusion__inner_node_as_leaf__false(notary, batch):
    batch_id, tree = batch
    inner = node_hash(tree.levels[0][0], tree.levels[0][1])
    # A shortened proof from the inner node is refused by length; a full-length one by the
    # leaf prefix (the inner node is hashed as a leaf and no longer matches).
    assert not notary.verifyInclusion(batch_id, inner, 0, tree.proof(0)[1:])
    assert not notary.verifyInclusion(batch_id, inner, 0, [bytes(32), *tree.proof(0)[1:]])


def test_verify_inclusion__single_document_batch__empty_proof(
    notary, client, schema_id, customs_notary
):
    tree = MerkleTree(DOCS[:1])
    batch_id, _ = client.anchor_batch(tree, schema_id, sender=customs_notary)
    assert notary.verifyInclusion(batch_id, DOCS[0], 0, [])
    assert not notary.verifyInclusion(batch_id, DOCS[0], 0, [bytes(32)])


def test_verify_inclusion__on_single_attestation__false(notary, client, schema_id, customs_notary):
    rid, _ = client.attest(DOCS[0], schema_id, sender=customs_notary)
    assert not notary.verifyInclusion(rid, DOCS[0], 0, [])
    assert client.document_status(rid, DOCS[0], 0, []) == Status.UNKNOWN


def test_revoke_document__one_document__others_stay_valid(
    notary, client, batch, customs_notary, chain
):
    batch_id, tree = batch
    tx = notary.revokeDocument(batch_id, DOCS[3], 5, sender=customs_notary)

    (event,) = tx.decode_logs(notary.DocumentRevoked)
    assert (bytes(event.batchId), bytes(event.document)) == (batch_id, DOCS[3])
    assert (event.revoker, event.reason) == (customs_notary.address, 5)
    assert notary.documentRevocation(batch_id, DOCS[3]) == (chain.blocks.head.timestamp, 5)
    assert client.document_status(batch_id, DOCS[3], 3, tree.proof(3)) == Status.DOCUMENT_REVOKED
    for i in (0, 1, 2, 4, 5, 6):
        assert client.document_status(batch_id, DOCS[i], i, tree.proof(i)) == Status.VALID
    assert client.status(batch_id) == Status.VALID


def test_revoke_document__twice__reverts(notary, batch, customs_notary):
    batch_id, _ = batch
    notary.revokeDocument(batch_id, DOCS[3], 5, sender=customs_notary)
    with ape.reverts(notary.NotaryAlreadyRevoked, id=batch_id, document=DOCS[3]):
        notary.revokeDocument(batch_id, DOCS[3], 5, sender=customs_notary)


def test_revoke_document__other_org__reverts(notary, batch, tax_notary):
    batch_id, _ = batch
    with ape.reverts(notary.NotaryNotAttester, id=batch_id, orgId=1, callerOrgId=2):
        notary.revokeDocument(batch_id, DOCS[3], 5, sender=tax_notary)


def test_revoke_document__not_a_batch__reverts(notary, client, schema_id, customs_notary):
    rid, _ = client.attest(DOCS[0], schema_id, sender=customs_notary)
    with ape.reverts(notary.NotaryNotBatch, id=rid):
        notary.revokeDocument(rid, DOCS[0], 1, sender=customs_notary)
    with ape.reverts(notary.NotaryUnknownRecord):
        notary.revokeDocument(DOCS[1], DOCS[0], 1, sender=customs_notary)


def test_revoke__whole_batch__every_document_revoked(notary, client, batch, customs_notary):
    batch_id, tree = batch
    client.revoke(batch_id, 2, sender=customs_notary)
    for i in range(len(DOCS)):
        assert client.document_status(batch_id, DOCS[i], i, tree.proof(i)) == Status.REVOKED


def test_document_status__not_included_expired_and_org_not_live(
    notary, client, schema_id, customs_notary, chain, notary_gov, approvers
):
    tree = MerkleTree(DOCS)
    expires = chain.pending_timestamp + 500
    batch_id, _ = client.anchor_batch(tree, schema_id, sender=customs_notary, expires_at=expires)
    foreign = hash_bytes(b"not in batch")
    assert client.document_status(batch_id, foreign, 0, tree.proof(0)) == Status.NOT_INCLUDED

    notary_gov.enact("suspend_org", approvers=approvers, org_id=1)
    assert client.document_status(batch_id, DOCS[0], 0, tree.proof(0)) == Status.ORG_NOT_LIVE
    chain.pending_timestamp = expires + 1
    chain.mine()
    assert client.document_status(batch_id, DOCS[0], 0, tree.proof(0)) == Status.EXPIRED


def test_document_revocation__not_revoked__zeros_and_document_valid_false_after(
    notary, batch, customs_notary
):
    batch_id, tree = batch
    assert notary.documentRevocation(batch_id, DOCS[0]) == (0, 0)
    assert notary.isDocumentValid(batch_id, DOCS[0], 0, tree.proof(0))
    notary.revokeDocument(batch_id, DOCS[0], 1, sender=customs_notary)
    assert not notary.isDocumentValid(batch_id, DOCS[0], 0, tree.proof(0))
