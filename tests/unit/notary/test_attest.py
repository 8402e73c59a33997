"""Notary.attest: who may attest, what is recorded, and every rejection."""

import ape

from trustspace.consortium.constants import Role
from trustspace.notary.client import Kind, Status
from trustspace.notary.tree import record_id

ZERO = bytes(32)


def test_attest__notary__records_and_emits(
    notary, client, schema_id, customs_notary, digest, chain
):
    tx = notary.attest(digest(), schema_id, ZERO, 0, sender=customs_notary)

    rid = record_id(digest(), 1)
    (event,) = tx.decode_logs(notary.Attested)
    assert bytes(event.id) == rid
    assert bytes(event.digest) == digest()
    assert event.orgId == 1
    assert event.attester == customs_notary.address
    assert event.schemaId == schema_id
    assert event.expiresAt == 0
    assert tx.decode_logs(notary.Derived) == []
    rec = client.record(rid)
    assert (rec.org_id, rec.schema_id, rec.kind, rec.size) == (1, schema_id, Kind.DOCUMENT, 0)
    assert rec.attested_at == chain.blocks.head.timestamp
    assert (rec.expires_at, rec.revoked_at, rec.reason, rec.parent) == (0, 0, 0, None)
    assert notary.isValid(rid)
    assert notary.recordId(digest(), 1) == rid


def test_attest__outsider__reverts(notary, schema_id, outsider, digest):
    with ape.reverts(notary.NotaryNotNotary, account=outsider.address):
        notary.attest(digest(), schema_id, ZERO, 0, sender=outsider)


def test_attest__admin_without_notary_role__reverts(notary, schema_id, customs_admin, digest):
    with ape.reverts(notary.NotaryNotNotary, account=customs_admin.address):
        notary.attest(digest(), schema_id, ZERO, 0, sender=customs_admin)


def test_attest__same_org_twice__reverts(notary, schema_id, customs_notary, digest):
    notary.attest(digest(), schema_id, ZERO, 0, sender=customs_notary)
    with ape.reverts(
        notary.NotaryAlreadyAttested, id=record_id(digest(), 1), digest=digest(), orgId=1
    ):
        notary.attest(digest(), schema_id, ZERO, 0, sender=customs_notary)


def test_attest__same_digest_other_org__both_valid(
    notary, client, schema_id, customs_notary, tax_notary, digest
):
    a, _ = client.attest(digest(), schema_id, sender=customs_notary)
    b, _ = client.attest(digest(), schema_id, sender=tax_notary)
    assert a != b
    assert client.record(b).org_id == 2
    assert notary.isValid(a) and notary.isValid(b)


def test_attest__zero_digest__reverts(notary, schema_id, customs_notary):
    with ape.reverts(notary.NotaryZeroDigest, attester=customs_notary.address):
        notary.attest(ZERO, schema_id, ZERO, 0, sender=customs_notary)


def test_attest__unknown_schema__reverts(notary, schema_id, customs_notary, digest):
    with ape.reverts(notary.NotaryUnknownSchema, schemaId=schema_id + 1):
        notary.attest(digest(), schema_id + 1, ZERO, 0, sender=customs_notary)


def test_attest__deprecated_schema__reverts(notary, schema_id, customs_notary, digest):
    notary.deprecateSchema(schema_id, sender=customs_notary)
    with ape.reverts(notary.NotarySchemaDeprecated):
        notary.attest(digest(), schema_id, ZERO, 0, sender=customs_notary)


def test_attest__with_parent__records_lineage(
    notary, client, schema_id, customs_notary, tax_notary, digest
):
    parent, _ = client.attest(digest("declaration"), schema_id, sender=customs_notary)
    tx = notary.attest(digest("assessment"), schema_id, parent, 0, sender=tax_notary)

    child = record_id(digest("assessment"), 2)
    (derived,) = tx.decode_logs(notary.Derived)
    assert (bytes(derived.parent), bytes(derived.child)) == (parent, child)
    assert client.record(child).parent == parent
    assert [r.id for r in client.ancestors(child)] == [child, parent]


def test_attest__unknown_parent__reverts(notary, schema_id, customs_notary, digest):
    missing = digest("nowhere")
    with ape.reverts(notary.NotaryUnknownParent, parent=missing):
        notary.attest(digest(), schema_id, missing, 0, sender=customs_notary)


def test_attest__expiry_in_past__reverts(notary, schema_id, customs_notary, digest, chain):
    now = chain.pending_timestamp
    with ape.reverts(notary.NotaryExpiryInPast, expiresAt=now - 1):
        notary.attest(digest(), schema_id, ZERO, now - 1, sender=customs_notary)


def test_attest__expiry__valid_until_then_expired(
    notary, client, schema_id, customs_notary, digest, chain
):
    expires = chain.pending_timestamp + 1000
    rid, tx = client.attest(digest(), schema_id, sender=customs_notary, expires_at=expires)
    assert tx.decode_logs(notary.Attested)[0].expiresAt == expires
    assert client.status(rid) == Status.VALID

    chain.pending_timestamp = expires
    chain.mine()
    assert client.status(rid) == Status.EXPIRED
    assert not notary.isValid(rid)


def test_attest__org_suspended__record_reads_org_not_live(
    notary, client, schema_id, customs_notary, digest, notary_gov, approvers, maritime_admin
):
    rid, _ = client.attest(digest(), schema_id, sender=customs_notary)
    notary_gov.enact("suspend_org", approvers=approvers, org_id=1)
    assert client.status(rid) == Status.ORG_NOT_LIVE
    with ape.reverts(notary.NotaryNotNotary):
        notary.attest(digest("later"), schema_id, ZERO, 0, sender=customs_notary)

    # The suspended customs admin cannot vote: tax and maritime reinstate.
    notary_gov.enact("reinstate_org", approvers=[approvers[1], maritime_admin], org_id=1)
    assert client.status(rid) == Status.VALID


def test_attest__role_revoked__reverts(
    notary, schema_id, customs_notary, digest, notary_gov, approvers
):
    notary_gov.enact(
        "revoke_role", approvers=approvers, account=customs_notary, roles=int(Role.NOTARY)
    )
    with ape.reverts(notary.NotaryNotNotary, account=customs_notary.address):
        notary.attest(digest(), schema_id, ZERO, 0, sender=customs_notary)


def test_status__unknown_id__unknown(client, digest):
    assert client.status(digest("never attested")) == Status.UNKNOWN
    assert not client.record(digest("never attested")).exists


def test_constants__match_python_mirrors(notary):
    from eth_utils import keccak

    assert notary.NOTARY_ROLE() == Role.NOTARY
    assert bytes(notary.ATTEST_TYPEHASH()) == keccak(
        text="Attest(address attester,uint32 orgId,bytes32 digest,uint32 schemaId,bytes32 parent,"
        "uint40 expiresAt,uint256 nonce,uint256 deadline)"
    )
    assert bytes(notary.REVOKE_TYPEHASH()) == keccak(
        text="Revoke(address revoker,uint32 orgId,bytes32 id,uint16 reason,uint256 nonce,"
        "uint256 deadline)"
    )
