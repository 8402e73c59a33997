"""trustspace.notary.disclosure: salted field commitments, selective reveal, offline checks."""

import json

import pytest

from trustspace.crypto.hashing import canonical_json, hash_bytes
from trustspace.notary.disclosure import (
    Commitment,
    Disclosure,
    DisclosureError,
    commit,
    field_commitment,
    verify_disclosure,
)
from trustspace.notary.tree import MerkleTree, record_id

RECORD = {"name": "ACME Ltd", "vat_exempt": True, "country": "FR", "amount": 1250.5}


def test_commit__fresh_salts__roots_differ_for_same_record():
    assert commit(RECORD).root != commit(RECORD).root


def test_commit__given_salts__deterministic_and_sorted():
    salts = {k: bytes([i]) * 32 for i, k in enumerate(RECORD)}
    c = commit(RECORD, salts)
    assert c.names == sorted(RECORD)
    expected = MerkleTree([field_commitment(n, RECORD[n], salts[n]) for n in sorted(RECORD)])
    assert c.root == expected.root and c.size == 4
    assert commit(RECORD, salts).root == c.root


def test_field_commitment__salted_sha256_of_canonical_pair():
    salt = b"\x07" * 32
    assert field_commitment("a", [1], salt) == hash_bytes(salt + canonical_json(["a", [1]]))
    with pytest.raises(ValueError):
        field_commitment("a", 1, b"short")


def test_disclose__chosen_fields__verify_and_hide_the_rest():
    c = commit(RECORD)
    d = c.disclose(["country", "vat_exempt"], org_id=2, chain_id=31337)
    assert verify_disclosure(d) == {"country": "FR", "vat_exempt": True}
    text = json.dumps(d.to_json())
    assert "ACME" not in text and "1250" not in text
    assert d.batch_id == record_id(c.root, 2)


def test_disclosure__json_round_trip__still_verifies():
    d = commit(RECORD).disclose(["amount"])
    again = Disclosure.from_json(json.loads(json.dumps(d.to_json())))
    assert verify_disclosure(again) == {"amount": 1250.5}


def test_disclosure__low_entropy_field__not_guessable_without_salt():
    c = commit({"vat_exempt": True, "x": 1})
    d = c.disclose(["x"])
    sibling = d.fields[0].proof[0]  # the commitment-leaf of the hidden boolean
    from trustspace.notary.tree import leaf_hash

    guesses = {
        leaf_hash(hash_bytes(b"\x00" * 32 + canonical_json(["vat_exempt", v])))
        for v in (True, False)
    }
    assert sibling not in guesses


def test_verify_disclosure__changed_value__raises():
    d = commit(RECORD).disclose(["country"])
    data = d.to_json()
    data["fields"][0]["value"] = "DE"
    with pytest.raises(DisclosureError, match="country"):
        verify_disclosure(Disclosure.from_json(data))


def test_verify_disclosure__relabelled_field__raises():
    d = commit({"a": "same", "b": "same"}).disclose(["a"])
    data = d.to_json()
    data["fields"][0]["name"] = "b"
    with pytest.raises(DisclosureError):
        verify_disclosure(Disclosure.from_json(data))


def test_verify_disclosure__wrong_batch_id_or_nothing_revealed__raises():
    c = commit(RECORD)
    data = c.disclose(["country"], org_id=1).to_json()
    data["batch_id"] = "0x" + "00" * 32
    with pytest.raises(DisclosureError, match="batch id"):
        verify_disclosure(Disclosure.from_json(data))
    with pytest.raises(DisclosureError):
        verify_disclosure(c.disclose([]))


def test_disclose__unknown_field__raises():
    with pytest.raises(KeyError):
        commit(RECORD).disclose(["nope"])


def test_from_json__malformed__raises():
    with pytest.raises(DisclosureError):
        Disclosure.from_json({"type": "trustspace.notary.disclosure", "root": "0x12"})
    with pytest.raises(DisclosureError):
        Disclosure.from_json({"type": "other"})


def test_commitment__file_round_trip_and_tamper_check():
    c = commit(RECORD)
    again = Commitment.from_json(json.loads(json.dumps(c.to_json())))
    assert again.root == c.root
    data = c.to_json()
    data["record"]["country"] = "DE"
    with pytest.raises(ValueError, match="inconsistent"):
        Commitment.from_json(data)
    with pytest.raises(ValueError):
        commit({})
