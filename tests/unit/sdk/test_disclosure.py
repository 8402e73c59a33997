"""trustspace.notary.disclosure: salted field commitments, selective reveal, offline checks (format 2)."""

import json

import pytest

from trustspace.crypto.hashing import canonical_json, hash_bytes, keccak
from trustspace.notary.disclosure import (
    FIELD_TAG,
    Commitment,
    DisclosedField,
    Disclosure,
    DisclosureError,
    commit,
    field_commitment,
    verify_disclosure,
)
from trustspace.notary.tree import MerkleTree, leaf_hash, record_id

RECORD = {"name": "ACME Ltd", "vat_exempt": True, "country": "FR", "amount": 1250.5}


def salts_for(record):
    return {k: bytes([i + 1]) * 32 for i, k in enumerate(record)}


def test_commit__fresh_salts__roots_differ_for_same_record():
    assert commit(RECORD).root != commit(RECORD).root


def test_commit__given_salts__deterministic_and_leaves_sorted_by_commitment():
    salts = salts_for(RECORD)
    c = commit(RECORD, salts)
    commitments = sorted(field_commitment(n, RECORD[n], salts[n]) for n in RECORD)
    assert c.root == MerkleTree(commitments).root and c.size == 4
    assert commit(RECORD, salts).root == c.root
    for name, index in c.positions.items():
        assert commitments[index] == field_commitment(name, RECORD[name], salts[name])
    assert c.names == sorted(RECORD, key=c.positions.__getitem__)


def test_field_commitment__tagged_keccak_of_salt_and_canonical_pair():
    salt = b"\x07" * 32
    assert field_commitment("a", [1], salt) == keccak(FIELD_TAG + salt + canonical_json(["a", [1]]))
    # Format 1 was SHA-256(salt ‖ pair): the digest of a file holding those bytes.
    assert field_commitment("a", [1], salt) != hash_bytes(salt + canonical_json(["a", [1]]))
    with pytest.raises(ValueError, match="salt must be 32 bytes"):
        field_commitment("a", 1, b"short")


def test_disclose__chosen_fields__verify_and_hide_the_rest():
    c = commit(RECORD)
    d = c.disclose(["country", "vat_exempt"], org_id=2, chain_id=31337)
    assert verify_disclosure(d) == {"country": "FR", "vat_exempt": True}
    text = json.dumps(d.to_json())
    assert "ACME" not in text and "1250" not in text
    assert d.batch_id == record_id(c.root, 2)


def test_disclose__fields_listed_in_leaf_order_not_name_order():
    c = commit(RECORD, salts_for(RECORD))
    d = c.disclose(RECORD)
    assert [f.index for f in d.fields] == sorted(f.index for f in d.fields)
    assert [f.name for f in d.fields] == c.names


def test_disclosure__json_round_trip__still_verifies():
    d = commit(RECORD).disclose(["amount"])
    data = json.loads(json.dumps(d.to_json()))
    assert data["version"] == 2
    assert verify_disclosure(Disclosure.from_json(data)) == {"amount": 1250.5}


def test_disclosure__low_entropy_field__not_guessable_without_salt():
    c = commit({"vat_exempt": True, "x": 1})
    d = c.disclose(["x"])
    sibling = d.fields[0].proof[0]  # the leaf of the hidden boolean
    guesses = {
        leaf_hash(f(b"\x00" * 32 + canonical_json(["vat_exempt", v])))
        for v in (True, False)
        for f in (hash_bytes, lambda b: keccak(FIELD_TAG + b))
    }
    assert sibling not in guesses


def test_verify_disclosure__changed_value__raises():
    d = commit(RECORD).disclose(["country"])
    data = d.to_json()
    data["fields"][0]["value"] = "DE"
    with pytest.raises(DisclosureError, match="field 'country' does not match the root"):
        verify_disclosure(Disclosure.from_json(data))


def test_verify_disclosure__relabelled_field__raises():
    d = commit({"a": "same", "b": "same"}).disclose(["a"])
    data = d.to_json()
    data["fields"][0]["name"] = "b"
    with pytest.raises(DisclosureError, match="field 'b' does not match the root"):
        verify_disclosure(Disclosure.from_json(data))


def test_verify_disclosure__leaves_not_in_commitment_order__raises():
    # A tree built in another order (format 1 sorted by name) proves each field, but its
    # order could carry information: the verifier refuses it.
    record = {"a": 1, "b": 2}
    salts = salts_for(record)
    commitments = {n: field_commitment(n, v, salts[n]) for n, v in record.items()}
    descending = sorted(commitments, key=commitments.__getitem__, reverse=True)
    tree = MerkleTree([commitments[n] for n in descending])
    fields = [
        DisclosedField(n, record[n], salts[n], i, tree.proof(i)) for i, n in enumerate(descending)
    ]
    with pytest.raises(DisclosureError, match="field order does not match the committed order"):
        verify_disclosure(Disclosure(root=tree.root, size=2, fields=fields))


def test_verify_disclosure__duplicate_field__raises():
    d = commit(RECORD).disclose(["country"])
    twice = Disclosure(root=d.root, size=d.size, fields=[d.fields[0], d.fields[0]])
    with pytest.raises(DisclosureError, match="field 'country' disclosed twice"):
        verify_disclosure(twice)


def test_verify_disclosure__wrong_batch_id_or_nothing_revealed__raises():
    c = commit(RECORD)
    data = c.disclose(["country"], org_id=1).to_json()
    data["batch_id"] = "0x" + "00" * 32
    with pytest.raises(DisclosureError, match="batch id"):
        verify_disclosure(Disclosure.from_json(data))
    with pytest.raises(DisclosureError, match="reveals no field"):
        verify_disclosure(c.disclose([]))


def test_disclose__unknown_field__raises():
    with pytest.raises(KeyError, match="nope"):
        commit(RECORD).disclose(["nope"])


def test_from_json__malformed__raises():
    with pytest.raises(DisclosureError, match="malformed"):
        Disclosure.from_json({"type": "trustspace.disclosure", "version": 2, "root": "0x12"})
    with pytest.raises(DisclosureError, match="not a disclosure"):
        Disclosure.from_json({"type": "other"})


@pytest.mark.parametrize("version", [None, 1, 3])
def test_from_json__other_format_version__refused_with_advice(version):
    data = commit(RECORD).disclose(["country"]).to_json()
    if version is None:
        del data["version"]  # format 1 files may lack it
    else:
        data["version"] = version
    with pytest.raises(DisclosureError, match=r"disclosure format version .* is not accepted"):
        Disclosure.from_json(data)


def test_commitment__format_1_file__refused_with_advice():
    data = commit(RECORD).to_json()
    data["version"] = 1
    with pytest.raises(DisclosureError, match="commit the record again"):
        Commitment.from_json(data)


def test_commitment__file_round_trip_and_tamper_check():
    c = commit(RECORD, pad_to=6)
    again = Commitment.from_json(json.loads(json.dumps(c.to_json())))
    assert again.root == c.root and again.decoys == c.decoys and again.size == 6
    data = c.to_json()
    data["record"]["country"] = "DE"
    with pytest.raises(ValueError, match="inconsistent"):
        Commitment.from_json(data)
    with pytest.raises(ValueError, match="at least one field"):
        commit({})


def test_commit__pad_to__decoys_fill_the_tree_and_fields_still_verify():
    c = commit(RECORD, pad_to=8)
    assert c.size == 8 and len(c.decoys) == 4
    decoy_positions = {
        i for i, leaf in enumerate(c.tree.levels[0]) if leaf in map(leaf_hash, c.decoys)
    }
    assert len(decoy_positions) == 4 and decoy_positions.isdisjoint(c.positions.values())
    assert verify_disclosure(c.disclose(RECORD)) == RECORD


def test_commit__bad_padding__raises():
    with pytest.raises(ValueError, match="pad_to=3 is below the 4 fields"):
        commit(RECORD, pad_to=3)
    with pytest.raises(ValueError, match="give pad_to or decoys, not both"):
        commit(RECORD, pad_to=5, decoys=[b"\x01" * 32])
    with pytest.raises(ValueError, match="every decoy must be 32 bytes"):
        commit(RECORD, decoys=[b"\x01"])
    salts = salts_for(RECORD)
    taken = field_commitment("country", "FR", salts["country"])
    with pytest.raises(ValueError, match="a decoy repeats a leaf"):
        commit(RECORD, salts, decoys=[taken])
