"""Schemas: registered by an organisation, never rewritten, deprecated by owner or governance."""

import ape

ZERO = bytes(32)
DEF_HASH = bytes.fromhex("11" * 32)


def test_register_schema__notary__stores_and_emits(notary, client, customs_notary, chain):
    tx = notary.registerSchema(
        "cargo-manifest", "2.1", DEF_HASH, "ipfs://cid", sender=customs_notary
    )

    (event,) = tx.decode_logs(notary.SchemaRegistered)
    sid = event.schemaId
    assert sid == notary.schemaCount()  # ids are handed out in order
    assert event.orgId == 1
    assert event.registrar == customs_notary.address
    assert (event.name, event.version, event.uri) == ("cargo-manifest", "2.1", "ipfs://cid")
    assert bytes(event.definitionHash) == DEF_HASH
    s = client.schema(sid)
    assert (s["org_id"], s["name"], s["version"], s["uri"]) == (
        1,
        "cargo-manifest",
        "2.1",
        "ipfs://cid",
    )
    assert s["registered_at"] == chain.blocks.head.timestamp and s["deprecated_at"] == 0
    assert notary.schemaIdOf(1, "cargo-manifest", "2.1") == sid


def test_register_schema__outsider__reverts(notary, outsider):
    with ape.reverts(notary.NotaryNotNotary, account=outsider.address):
        notary.registerSchema("x", "1", ZERO, "", sender=outsider)


def test_register_schema__same_name_and_version__reverts(notary, customs_notary, schema_id):
    with ape.reverts(
        notary.NotarySchemaExists,
        orgId=1,
        name="customs-declaration",
        version="1.0",
        schemaId=schema_id,
    ):
        notary.registerSchema("customs-declaration", "1.0", DEF_HASH, "", sender=customs_notary)


def test_register_schema__new_version_or_other_org__new_ids(
    notary, client, customs_notary, tax_notary, schema_id
):
    v2 = client.register_schema("customs-declaration", "2.0", sender=customs_notary)
    other = client.register_schema("customs-declaration", "1.0", sender=tax_notary)
    assert len({schema_id, v2, other}) == 3
    assert client.schema(other)["org_id"] == 2


def test_deprecate_schema__owner__stops_new_attestations_only(
    notary, client, customs_notary, schema_id, digest
):
    rid, _ = client.attest(digest(), schema_id, sender=customs_notary)
    tx = notary.deprecateSchema(schema_id, sender=customs_notary)

    (event,) = tx.decode_logs(notary.SchemaDeprecated)
    assert (event.schemaId, event.by) == (schema_id, customs_notary.address)
    assert client.schema(schema_id)["deprecated_at"] > 0
    assert notary.isValid(rid)
    with ape.reverts(notary.NotarySchemaDeprecated, schemaId=schema_id):
        notary.attest(digest("new"), schema_id, ZERO, 0, sender=customs_notary)


def test_deprecate_schema__other_org__reverts(notary, tax_notary, schema_id):
    with ape.reverts(notary.NotaryNotSchemaOwner, schemaId=schema_id, orgId=2):
        notary.deprecateSchema(schema_id, sender=tax_notary)


def test_deprecate_schema__twice__reverts(notary, customs_notary, schema_id):
    notary.deprecateSchema(schema_id, sender=customs_notary)
    with ape.reverts(notary.NotarySchemaDeprecated, schemaId=schema_id):
        notary.deprecateSchema(schema_id, sender=customs_notary)


def test_deprecate_schema__unknown__reverts(notary, customs_notary):
    with ape.reverts(notary.NotaryUnknownSchema, schemaId=99):
        notary.deprecateSchema(99, sender=customs_notary)


def test_deprecate_schema__consortium_governance__deprecates(
    notary, client, notary_gov, approvers, schema_id
):
    data = notary.deprecateSchema.encode_input(schema_id)
    notary_gov.enact("call", approvers=approvers, target=notary.address, data=bytes(data))
    assert client.schema(schema_id)["deprecated_at"] > 0


def test_schema_id_of__unregistered__zero(notary, schema_id):
    assert notary.schemaIdOf(1, "customs-declaration", "1.0") == schema_id
    assert notary.schemaIdOf(2, "customs-declaration", "1.0") == 0
    assert notary.schema(999).orgId == 0


def test_consortium__is_the_deployment_argument(notary, notary_consortium):
    assert notary.consortium() == notary_consortium.address
