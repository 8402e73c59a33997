"""Mirroring Merkle batches and their per-document revocations from customs to tax.

Two Notaries on two chain ids of the in-process EVM, each with its own Consortium and
MessageBus (tests/utils/notary_mirror.py): what customs sends is proven to tax's bus under a
checkpoint signed by customs' validators, as a relayer would deliver it.
"""

import ape
import pytest
from eth_utils.crypto import keccak

from tests.utils.notary_mirror import CUSTOMS_CHAIN, TAX_CHAIN, build_pair
from trustspace.consortium.constants import Role
from trustspace.notary.client import Kind, NotaryClient, Status
from trustspace.notary.mirroring import (
    mirror_document_revocation,
    mirror_record,
    verify_mirrored_document,
)

DOCUMENTS = [keccak(text=f"declaration {i}") for i in range(5)]


@pytest.fixture(scope="session")
def deployed_pair(project, chain, deployer, customs_admin, tax_admin, maritime_admin, customs_notary,
         validator_keys, relayer):  # fmt: skip
    if getattr(chain.provider, "env", None) is None:
        pytest.skip("needs the in-process provider (boa) to switch chain ids")
    signers = [validator_keys[k] for k in ("customs", "tax", "maritime")]
    return build_pair(project, chain, deployer, (customs_admin, tax_admin, maritime_admin),
                      customs_notary, signers, relayer)  # fmt: skip


@pytest.fixture
def pair(deployed_pair):
    """The module's pair; ape resets its chains after each test, so its message list too."""
    deployed_pair.messages.clear()
    return deployed_pair


@pytest.fixture
def anchored(pair):
    """A five-document batch of customs, mirrored and delivered to tax."""
    batch, tree = pair.anchor(DOCUMENTS)
    pair.deliver(pair.mirror_batch(batch))
    return batch, tree


def test_mirror__batch__recorded_on_destination_as_foreign_batch(pair):
    batch, _ = pair.anchor(DOCUMENTS)
    message = pair.mirror_batch(batch)
    assert (message.origin, message.destination, message.sender, message.recipient) == (
        CUSTOMS_CHAIN, TAX_CHAIN, pair.origin.address, pair.mirror.address,
    )  # fmt: skip
    tx = pair.deliver(message)
    foreign = pair.foreign(batch)
    (event,) = tx.decode_logs(pair.mirror.ForeignRecorded)
    assert (bytes(event.id), event.origin, bytes(event.originId), event.orgId, event.revokedAt) == (
        foreign, CUSTOMS_CHAIN, batch, 1, 0,
    )  # fmt: skip
    rec = pair.mirror.record(foreign)
    assert (rec.kind, rec.size, rec.orgId, rec.schemaId) == (Kind.FOREIGN, 5, 1, pair.schema)
    assert pair.mirror.foreignOrigin(foreign) == (CUSTOMS_CHAIN, batch)
    assert pair.mirror.status(foreign) == Status.VALID


def test_mirror__batch_not_delivered__unknown_on_destination(pair):
    batch, tree = pair.anchor(DOCUMENTS)
    pair.mirror_batch(batch)
    foreign = pair.foreign(batch)
    assert pair.mirror.status(foreign) == Status.UNKNOWN
    assert not pair.mirror.verifyInclusion(foreign, DOCUMENTS[0], 0, tree.proof(0))


def test_mirror__batch__dispatch_event_names_record_destination_and_message(pair):
    batch, _ = pair.anchor(DOCUMENTS)
    with pair.on(CUSTOMS_CHAIN):
        tx = pair.origin.mirror(batch, TAX_CHAIN, sender=pair.notary)
    (event,) = tx.decode_logs(pair.origin.Mirrored)
    (dispatched,) = tx.decode_logs(pair.bus_origin.Dispatched)
    assert (bytes(event.id), event.destination, bytes(event.messageId)) == (
        batch, TAX_CHAIN, bytes(dispatched.id),
    )  # fmt: skip


@pytest.mark.parametrize("index", range(5))
def test_inclusion_views__foreign_batch__answer_as_the_origin(pair, anchored, index):
    batch, tree = anchored
    foreign, proof, doc = pair.foreign(batch), tree.proof(index), DOCUMENTS[index]
    assert pair.mirror.verifyInclusion(foreign, doc, index, proof)
    assert pair.origin.verifyInclusion(batch, doc, index, proof)
    assert pair.mirror.documentStatus(foreign, doc, index, proof) == Status.VALID
    assert pair.mirror.isDocumentValid(foreign, doc, index, proof)


def test_inclusion_views__foreign_batch_wrong_index_or_document__not_included(pair, anchored):
    batch, tree = anchored
    foreign = pair.foreign(batch)
    assert not pair.mirror.verifyInclusion(foreign, DOCUMENTS[0], 1, tree.proof(0))
    assert not pair.mirror.verifyInclusion(foreign, keccak(b"forged"), 0, tree.proof(0))
    assert not pair.mirror.verifyInclusion(foreign, DOCUMENTS[0], 5, tree.proof(0))
    assert pair.mirror.documentStatus(foreign, DOCUMENTS[0], 1, tree.proof(0)) == (
        Status.NOT_INCLUDED
    )
    # The origin's batch id means nothing on the destination: only the foreign id answers.
    assert pair.mirror.documentStatus(batch, DOCUMENTS[0], 0, tree.proof(0)) == Status.UNKNOWN


def test_mirror_document_revocation__document_reads_revoked__siblings_stay_valid(pair, anchored):
    batch, tree = anchored
    pair.revoke(batch, DOCUMENTS[2], reason=3)
    with pair.on(CUSTOMS_CHAIN):
        revoked_at, _ = pair.origin.documentRevocation(batch, DOCUMENTS[2])
        tx = pair.origin.mirrorDocumentRevocation(
            batch, DOCUMENTS[2], 2, tree.proof(2), TAX_CHAIN, sender=pair.notary
        )
    (sent,) = tx.decode_logs(pair.origin.DocumentRevocationMirrored)
    (dispatched,) = tx.decode_logs(pair.bus_origin.Dispatched)
    assert (bytes(sent.batchId), bytes(sent.document), sent.destination) == (
        batch, DOCUMENTS[2], TAX_CHAIN,
    )  # fmt: skip
    assert bytes(sent.messageId) == bytes(dispatched.id)
    message = pair.track(tx)
    delivered = pair.deliver(message)
    foreign = pair.foreign(batch)
    (event,) = delivered.decode_logs(pair.mirror.ForeignDocumentRevoked)
    assert (bytes(event.id), bytes(event.document), event.origin, event.revokedAt, event.reason) == (
        foreign, DOCUMENTS[2], CUSTOMS_CHAIN, revoked_at, 3,
    )  # fmt: skip
    assert pair.mirror.documentRevocation(foreign, DOCUMENTS[2]) == (revoked_at, 3)
    for i, doc in enumerate(DOCUMENTS):
        expected = Status.DOCUMENT_REVOKED if i == 2 else Status.VALID
        assert pair.mirror.documentStatus(foreign, doc, i, tree.proof(i)) == expected
        assert pair.origin.documentStatus(batch, doc, i, tree.proof(i)) == expected
    assert pair.mirror.status(foreign) == Status.VALID  # the batch itself


def test_mirror_document_revocation__document_not_revoked__reverts(pair, anchored):
    batch, tree = anchored
    with (
        pair.on(CUSTOMS_CHAIN),
        ape.reverts(pair.origin.NotaryDocumentNotRevoked, batchId=batch, document=DOCUMENTS[1]),
    ):
        pair.origin.mirrorDocumentRevocation(
            batch, DOCUMENTS[1], 1, tree.proof(1), TAX_CHAIN, sender=pair.notary
        )


def test_mirror_document_revocation__wrong_index__reverts(pair, anchored):
    batch, tree = anchored
    pair.revoke(batch, DOCUMENTS[1])
    with (
        pair.on(CUSTOMS_CHAIN),
        ape.reverts(pair.origin.NotaryNotIncluded, batchId=batch, document=DOCUMENTS[1], index=0),
    ):
        pair.origin.mirrorDocumentRevocation(
            batch, DOCUMENTS[1], 0, tree.proof(1), TAX_CHAIN, sender=pair.notary
        )


def test_mirror_document_revocation__single_attestation__not_a_batch(pair):
    with pair.on(CUSTOMS_CHAIN):
        pair.origin.attest(DOCUMENTS[0], pair.schema, bytes(32), 0, sender=pair.notary)
        rid = bytes(pair.origin.recordId(DOCUMENTS[0], 1))
        with ape.reverts(pair.origin.NotaryNotBatch, id=rid):
            pair.origin.mirrorDocumentRevocation(rid, DOCUMENTS[0], 0, [], TAX_CHAIN,
                                                 sender=pair.notary)  # fmt: skip


def test_mirror_document_revocation__another_organisation__not_attester(pair, anchored, tax_notary):
    batch, tree = anchored
    pair.revoke(batch, DOCUMENTS[1])
    with pair.on(CUSTOMS_CHAIN):
        pair.gov_origin.enact("add_account", approvers=pair.voters, org_id=2, account=tax_notary)
        pair.gov_origin.enact("grant_role", approvers=pair.voters, account=tax_notary,
                              roles=Role.NOTARY)  # fmt: skip
        with ape.reverts(pair.origin.NotaryNotAttester, id=batch, orgId=1, callerOrgId=2):
            pair.origin.mirrorDocumentRevocation(
                batch, DOCUMENTS[1], 1, tree.proof(1), TAX_CHAIN, sender=tax_notary
            )


def test_foreign_batch__whole_batch_revoked_on_origin_and_mirrored__revoked(pair, anchored):
    batch, tree = anchored
    with pair.on(CUSTOMS_CHAIN):
        pair.origin.revoke(batch, 4, sender=pair.notary)
    foreign = pair.foreign(batch)
    assert pair.mirror.documentStatus(foreign, DOCUMENTS[0], 0, tree.proof(0)) == Status.VALID
    pair.deliver(pair.mirror_batch(batch))
    assert pair.mirror.status(foreign) == Status.REVOKED
    assert pair.mirror.documentStatus(foreign, DOCUMENTS[0], 0, tree.proof(0)) == Status.REVOKED


def test_foreign_batch__organisation_suspended_on_destination__org_not_live(pair, anchored):
    batch, tree = anchored
    foreign = pair.foreign(batch)
    with pair.on(TAX_CHAIN):
        pair.gov_dest.enact("suspend_org", approvers=pair.voters, org_id=1)
    assert pair.mirror.documentStatus(foreign, DOCUMENTS[0], 0, tree.proof(0)) == (
        Status.ORG_NOT_LIVE
    )
    assert pair.origin.documentStatus(batch, DOCUMENTS[0], 0, tree.proof(0)) == Status.VALID


def test_foreign_batch__destination_notary__cannot_revoke_or_mirror_it(pair, anchored, tax_notary):
    batch, _ = anchored
    foreign = pair.foreign(batch)
    with pair.on(TAX_CHAIN):
        pair.gov_dest.enact("add_account", approvers=pair.voters, org_id=1, account=tax_notary)
        pair.gov_dest.enact("grant_role", approvers=pair.voters, account=tax_notary,
                            roles=Role.NOTARY)  # fmt: skip
        with ape.reverts(pair.mirror.NotaryForeignRecord, id=foreign):
            pair.mirror.revokeDocument(foreign, DOCUMENTS[0], 1, sender=tax_notary)
        with ape.reverts(pair.mirror.NotaryForeignRecord, id=foreign):
            pair.mirror.revoke(foreign, 1, sender=tax_notary)
        with ape.reverts(pair.mirror.NotaryNotMirrorable, id=foreign):
            pair.mirror.mirror(foreign, CUSTOMS_CHAIN, sender=tax_notary)


def test_mirror__same_batch_twice__one_record_unchanged(pair, anchored):
    batch, _ = anchored
    foreign = pair.foreign(batch)
    before = pair.mirror.record(foreign)
    tx = pair.deliver(pair.mirror_batch(batch))
    (event,) = tx.decode_logs(pair.mirror.ForeignRecorded)  # one per delivered message
    assert (bytes(event.id), event.revokedAt) == (foreign, 0)
    assert pair.mirror.record(foreign) == before
    assert pair.mirror.foreignOrigin(foreign) == (CUSTOMS_CHAIN, batch)


def test_foreign_batch__as_parent__lineage_on_destination(pair, anchored, tax_notary):
    batch, _ = anchored
    foreign = pair.foreign(batch)
    with pair.on(TAX_CHAIN):
        pair.gov_dest.enact("add_account", approvers=pair.voters, org_id=2, account=tax_notary)
        pair.gov_dest.enact("grant_role", approvers=pair.voters, account=tax_notary,
                            roles=Role.NOTARY)  # fmt: skip
        schema = pair.mirror.registerSchema("tax", "1", bytes(32), "", sender=tax_notary)
        tx = pair.mirror.attest(keccak(b"assessment"), schema.return_value, foreign, 0,
                                sender=tax_notary)  # fmt: skip
    (derived,) = tx.decode_logs(pair.mirror.Derived)
    assert bytes(derived.parent) == foreign


# ------------------------------------------------------------------ the SDK


def test_sdk__mirror_then_verify_document_on_destination__valid_then_document_revoked(pair):
    batch, tree = pair.anchor(DOCUMENTS)
    origin, dest = NotaryClient(pair.origin), NotaryClient(pair.mirror)
    with pair.on(CUSTOMS_CHAIN):
        sent = mirror_record(origin, batch, TAX_CHAIN, sender=pair.notary)
    assert sent.foreign_id == pair.foreign(batch)
    message = pair.track(sent.tx)
    assert message.id == sent.message_id
    check = verify_mirrored_document(dest, CUSTOMS_CHAIN, batch, DOCUMENTS[3], 3, tree.proof(3))
    assert (check.proof_ok, check.status, check.valid) == (False, Status.UNKNOWN, False)
    pair.deliver(message)
    check = verify_mirrored_document(dest, CUSTOMS_CHAIN, batch, DOCUMENTS[3], 3, tree.proof(3))
    assert (check.proof_ok, check.status, check.valid) == (True, Status.VALID, True)
    wrong = verify_mirrored_document(dest, CUSTOMS_CHAIN, batch, DOCUMENTS[3], 2, tree.proof(3))
    assert (wrong.proof_ok, wrong.status, wrong.valid) == (False, Status.NOT_INCLUDED, False)

    pair.revoke(batch, DOCUMENTS[3])
    with pair.on(CUSTOMS_CHAIN):
        sent = mirror_document_revocation(
            origin, batch, DOCUMENTS[3], 3, tree.proof(3), TAX_CHAIN, sender=pair.notary
        )
    message = pair.track(sent.tx)
    assert message.id == sent.message_id
    pair.deliver(message)
    check = verify_mirrored_document(dest, CUSTOMS_CHAIN, batch, DOCUMENTS[3], 3, tree.proof(3))
    assert (check.proof_ok, check.status, check.valid) == (True, Status.DOCUMENT_REVOKED, False)
    sibling = verify_mirrored_document(dest, CUSTOMS_CHAIN, batch, DOCUMENTS[4], 4, tree.proof(4))
    assert sibling.valid
