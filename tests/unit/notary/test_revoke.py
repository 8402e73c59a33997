"""Revocation: by the attesting organisation only, with a reason; the record is kept."""

import ape

from trustspace.notary.client import RevocationReason, Status

ZERO = bytes(32)


def test_revoke__attesting_org__revoked_and_kept(
    notary, client, schema_id, customs_notary, digest, chain
):
    rid, _ = client.attest(digest(), schema_id, sender=customs_notary)
    tx = notary.revoke(rid, RevocationReason.SUPERSEDED, sender=customs_notary)

    (event,) = tx.decode_logs(notary.Revoked)
    assert bytes(event.id) == rid
    assert event.orgId == 1
    assert event.revoker == customs_notary.address
    assert event.reason == RevocationReason.SUPERSEDED
    rec = client.record(rid)
    assert rec.exists and rec.revoked_at == chain.blocks.head.timestamp
    assert rec.reason == RevocationReason.SUPERSEDED
    assert client.status(rid) == Status.REVOKED
    assert not notary.isValid(rid)


def test_revoke__other_notary_key_of_same_org__allowed(
    notary, client, schema_id, customs_notary, newcomer, enroll, digest
):
    enroll(newcomer, 1)
    rid, _ = client.attest(digest(), schema_id, sender=customs_notary)
    notary.revoke(rid, 0, sender=newcomer)
    assert client.status(rid) == Status.REVOKED


def test_revoke__other_org__reverts(notary, client, schema_id, customs_notary, tax_notary, digest):
    rid, _ = client.attest(digest(), schema_id, sender=customs_notary)
    with ape.reverts(notary.NotaryNotAttester, id=rid, orgId=1, callerOrgId=2):
        notary.revoke(rid, 0, sender=tax_notary)


def test_revoke__outsider__reverts(notary, client, schema_id, customs_notary, outsider, digest):
    rid, _ = client.attest(digest(), schema_id, sender=customs_notary)
    with ape.reverts(notary.NotaryNotNotary, account=outsider.address):
        notary.revoke(rid, 0, sender=outsider)


def test_revoke__twice__reverts(notary, client, schema_id, customs_notary, digest):
    rid, _ = client.attest(digest(), schema_id, sender=customs_notary)
    notary.revoke(rid, 1, sender=customs_notary)
    with ape.reverts(notary.NotaryAlreadyRevoked, id=rid):
        notary.revoke(rid, 2, sender=customs_notary)


def test_revoke__unknown__reverts(notary, customs_notary, digest):
    with ape.reverts(notary.NotaryUnknownRecord, id=digest("missing")):
        notary.revoke(digest("missing"), 0, sender=customs_notary)


def test_revoke__revoked_parent__child_keeps_own_status(
    notary, client, schema_id, customs_notary, tax_notary, digest
):
    parent, _ = client.attest(digest("p"), schema_id, sender=customs_notary)
    child, _ = client.attest(digest("c"), schema_id, sender=tax_notary, parent=parent)
    client.revoke(parent, 4, sender=customs_notary)
    tree = client.lineage(child)
    assert tree.status == Status.REVOKED
    assert [a.id for a in client.ancestors(child)] == [child, parent]
    assert client.status(child) == Status.VALID
