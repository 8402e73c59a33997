"""Finding 9 of issue 11: an ordinary batch document must never pose as a disclosed field.

Format 1 committed a field as ``SHA-256(salt ‖ RFC8785([name, value]))``, in the same
leaf domain as the SHA-256 digest of a filed document, and a disclosure's root was any
batch. The inbox attack: a filer submits to customs a "document" whose bytes are
``salt ‖ ["vat_exempt",true]``; customs notarizes its inbox as one batch (as the CLI does
for a folder); the filer then "discloses" ``vat_exempt: true`` from that batch, with the
inbox's root, size, index and proof — and the old verifier said VALID, issued by customs.

Two independent defences, each tested on its own:

* domain separation: a field commitment is ``keccak256(FIELD_TAG ‖ salt ‖ pair)``, so no
  file (whose digest is SHA-256 of its bytes) matches one, whatever bytes it holds;
* record type: a disclosure root must be anchored under the organisation's own
  ``trustspace.disclosure`` schema, which the verifier reads on chain
  (``record(batchId).schemaId == schemaIdOf(orgId, name, version)``). Even genuine field
  commitments, anchored as an ordinary batch (digests filed through a hash-submission
  API), are not a disclosure.
"""

from __future__ import annotations

import pytest

from trustspace.crypto.hashing import canonical_json, hash_bytes
from trustspace.notary import disclosure as sd
from trustspace.notary.client import Status
from trustspace.notary.disclosure import (
    FIELD_TAG,
    DisclosedField,
    Disclosure,
    DisclosureError,
    commit,
    verify_disclosure,
)
from trustspace.notary.tree import MerkleTree, record_id

CUSTOMS = 1
SALT = bytes(range(32))
CLAIM = ["vat_exempt", True]


@pytest.fixture
def inbox_schema(client, customs_notary):
    return client.register_schema("customs-inbox", "1.0", sender=customs_notary)


@pytest.fixture
def anchor_inbox(client, customs_notary, inbox_schema):
    """Customs notarizes the files of its inbox as one batch; returns (tree, batch id)."""

    def anchor(files: list[bytes]):
        tree = MerkleTree([hash_bytes(content) for content in files])  # = hash_file of each
        batch, _ = client.anchor_batch(tree, inbox_schema, sender=customs_notary)
        return tree, batch

    return anchor


def forged_disclosure(client, tree: MerkleTree, index: int) -> Disclosure:
    """What the filer hands a tax officer: the inbox batch presented as a record."""
    document = Disclosure(
        root=tree.root,
        size=tree.size,
        org_id=CUSTOMS,
        batch_id=record_id(tree.root, CUSTOMS),
        chain_id=client.chain_id,
        notary=client.address,
        fields=[DisclosedField("vat_exempt", True, SALT, index, tree.proof(index))],
    ).to_json()
    return Disclosure.from_json(document)


@pytest.mark.parametrize(
    "crafted",
    [SALT + canonical_json(CLAIM), FIELD_TAG + SALT + canonical_json(CLAIM)],
    ids=["format_1_preimage", "format_2_preimage_as_file"],
)
def test_inbox_batch__filer_crafted_file__cannot_be_disclosed_as_vat_exempt(
    client, anchor_inbox, crafted
):
    inbox = [b"<declaration n='1'/>", crafted, b"<declaration n='3'/>"]
    tree, batch = anchor_inbox(inbox)
    # The premise: the crafted file is a genuine, valid document of customs' batch.
    assert client.document_status(batch, hash_bytes(crafted), 1, tree.proof(1)) == Status.VALID

    forged = forged_disclosure(client, tree, 1)

    # Defence 1 (offline): the claimed field's commitment is not the file's digest.
    with pytest.raises(DisclosureError, match="field 'vat_exempt' does not match the root"):
        verify_disclosure(forged)
    # Defence 2 (on chain): the inbox batch is not a disclosure root of customs.
    check = client.check_disclosure(forged)
    assert not check.is_disclosure_root and not check.valid
    with pytest.raises(DisclosureError, match="is not a disclosure"):
        client.disclosure_status(forged)


def test_genuine_commitments_anchored_as_ordinary_batch__not_a_disclosure(
    client, customs_notary, inbox_schema
):
    # The filer commits its own claim properly and files the commitments as digests; customs
    # anchors the digests it received as an ordinary batch: same root, valid proofs.
    filer = commit({"vat_exempt": True, "company": "Shell Co"})
    batch, _ = client.anchor_batch(filer.tree, inbox_schema, sender=customs_notary)
    disclosure = filer.disclose(["vat_exempt"], org_id=CUSTOMS)
    assert verify_disclosure(disclosure) == {"vat_exempt": True}
    assert disclosure.batch_id == batch

    check = client.check_disclosure(disclosure)

    assert check.fields == {"vat_exempt": Status.VALID}  # included and valid as a document
    assert (check.schema_id, check.disclosure_schema_id) == (inbox_schema, 0)
    assert not check.is_disclosure_root and not check.valid
    with pytest.raises(DisclosureError, match=r"has no trustspace\.disclosure schema"):
        client.disclosure_status(disclosure)
    # Once customs has a disclosure schema, the inbox batch is still not under it.
    schema = client.ensure_disclosure_schema(sender=customs_notary)
    with pytest.raises(DisclosureError, match=f"not organisation 1's {sd.SCHEMA_NAME} schema"):
        client.disclosure_status(disclosure)
    assert schema != inbox_schema


def test_inbox_batch__under_the_disclosure_schema__refused_by_the_sdk(
    client, customs_notary, anchor_inbox
):
    # The SDK never anchors an ordinary tree under a disclosure schema by mistake.
    schema = client.ensure_disclosure_schema(sender=customs_notary)
    with pytest.raises(ValueError, match="anchor selective-disclosure commitments"):
        client.anchor_batch(MerkleTree([hash_bytes(b"filed")]), schema, sender=customs_notary)


def test_other_organisations_disclosure_schema__does_not_make_a_disclosure(
    notary, client, customs_notary, maritime_notary
):
    # Any organisation may attest under any schema; only the anchoring organisation's own
    # disclosure schema marks its record as a disclosure.
    customs_schema = client.ensure_disclosure_schema(sender=customs_notary)
    record = commit({"vat_exempt": True})
    notary.anchorBatch(record.root, record.size, customs_schema, 0, sender=maritime_notary)
    check = client.check_disclosure(record.disclose(["vat_exempt"], org_id=3))
    assert check.fields == {"vat_exempt": Status.VALID}
    assert (check.schema_id, check.disclosure_schema_id) == (customs_schema, 0)
    assert not check.is_disclosure_root
