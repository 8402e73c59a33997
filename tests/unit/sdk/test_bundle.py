"""trustspace.notary.bundle: per-document proof bundles and their offline checks."""

import json

import pytest

from trustspace.crypto.hashing import hash_bytes, hash_file, hash_json
from trustspace.notary.bundle import (
    ENCODING_BYTES,
    ENCODING_JSON,
    Bundle,
    BundleError,
    batch_bundles,
    document_digest,
    load_json_record,
    verify_file,
    verify_offline,
)
from trustspace.notary.tree import MerkleTree, record_id

NOTARY = "0x" + "ab" * 20


@pytest.fixture
def files(tmp_path):
    paths = []
    for i in range(5):
        p = tmp_path / f"doc{i}.txt"
        p.write_text(f"document {i}")
        paths.append(p)
    return paths


def test_batch_bundles__every_file__verifies_offline(files, tmp_path):
    digests = [hash_file(p) for p in files]
    bundles = batch_bundles(
        digests,
        org_id=3,
        chain_id=31337,
        notary=NOTARY,
        names=[p.name for p in files],
        tx_hash="0x1",
    )
    for p, b in zip(files, bundles, strict=True):
        out = tmp_path / (p.name + ".bundle.json")
        b.save(out)
        loaded = Bundle.load(out)
        assert loaded == b
        verify_file(loaded, p)
    assert bundles[0].record_id == record_id(MerkleTree(digests).root, 3)


def test_verify_offline__other_file__raises(files):
    bundles = batch_bundles([hash_file(p) for p in files], org_id=1, chain_id=1, notary=NOTARY)
    with pytest.raises(BundleError, match="differs"):
        verify_file(bundles[0], files[1])


def test_verify_offline__tampered_proof_or_org__raises(files):
    (b, *_) = batch_bundles([hash_file(p) for p in files], org_id=1, chain_id=1, notary=NOTARY)
    data = b.to_json()
    data["batch"]["index"] = 1
    with pytest.raises(BundleError, match="Merkle proof"):
        verify_offline(Bundle.from_json(data))
    data = b.to_json()
    data["attestation"]["org_id"] = 2
    with pytest.raises(BundleError, match="record id"):
        verify_offline(Bundle.from_json(data))


def test_single_attestation_bundle__verifies_offline():
    d = hash_bytes(b"x")
    b = Bundle(digest=d, org_id=4, record_id=record_id(d, 4), chain_id=1, notary=NOTARY)
    verify_offline(b, d)
    assert Bundle.from_json(json.loads(json.dumps(b.to_json()))) == b
    with pytest.raises(BundleError):
        verify_offline(
            Bundle(digest=d, org_id=5, record_id=record_id(d, 4), chain_id=1, notary=NOTARY)
        )


@pytest.mark.parametrize(
    "data",
    [
        {"type": "nope"},
        {"type": "trustspace.bundle", "version": 99},
        {"type": "trustspace.bundle", "version": 1, "document": {"hash": "md5"}},
        {"type": "trustspace.bundle", "version": 1, "document": {"hash": "sha256"}},
    ],
)
def test_from_json__malformed__raises(data):
    with pytest.raises(BundleError):
        Bundle.from_json(data)


def test_load__not_json__raises(tmp_path):
    p = tmp_path / "b.json"
    p.write_text("{")
    with pytest.raises(BundleError, match="not JSON"):
        Bundle.load(p)


def test_bundle__claims_and_encoding__round_trip():
    d = hash_json({"a": 1})
    b = Bundle(
        digest=d,
        org_id=2,
        org_name="Tax Administration",
        record_id=record_id(d, 2),
        chain_id=31339,
        notary=NOTARY,
        encoding=ENCODING_JSON,
    )
    data = json.loads(json.dumps(b.to_json()))
    assert data["document"]["encoding"] == "json-rfc8785"
    assert data["attestation"]["org_name"] == "Tax Administration"
    assert Bundle.from_json(data) == b


def test_bundle__written_before_encodings__reads_as_bytes():
    d = hash_bytes(b"x")
    data = Bundle(
        digest=d, org_id=1, record_id=record_id(d, 1), chain_id=1, notary=NOTARY
    ).to_json()
    del data["document"]["encoding"], data["attestation"]["org_name"]
    loaded = Bundle.from_json(data)
    assert loaded.encoding == ENCODING_BYTES and loaded.org_name is None


def test_bundle__unknown_encoding__raises():
    d = hash_bytes(b"x")
    data = Bundle(
        digest=d, org_id=1, record_id=record_id(d, 1), chain_id=1, notary=NOTARY
    ).to_json()
    data["document"]["encoding"] = "xml-c14n"
    with pytest.raises(BundleError, match="unsupported document encoding"):
        Bundle.from_json(data)


def test_document_digest__json_record__encodings_agree_bytes_differ(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"b":[1,2],"a":"\u00e9","n":1.0}')
    b.write_text('{\n  "a": "é",\n  "n": 1,\n  "b": [1, 2]\n}\n')
    assert document_digest(a, ENCODING_JSON) == document_digest(b, ENCODING_JSON)
    assert document_digest(a, ENCODING_JSON) == hash_json({"a": "é", "b": [1, 2], "n": 1})
    assert document_digest(a) != document_digest(b)
    assert document_digest(a, ENCODING_BYTES) == hash_file(a)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"a": 1, "a": 2}', "duplicate key"),
        ('{"a": NaN}', "NaN is not JSON"),
        ('{"a": Infinity}', "Infinity is not JSON"),
        ("{", "not a JSON record"),
    ],
)
def test_load_json_record__ambiguous_or_invalid__raises(tmp_path, content, message):
    p = tmp_path / "r.json"
    p.write_text(content)
    with pytest.raises(BundleError, match=message):
        load_json_record(p)
    with pytest.raises(BundleError):
        document_digest(p, ENCODING_JSON)


def test_load_json_record__not_utf8__raises(tmp_path):
    p = tmp_path / "r.json"
    p.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(BundleError, match="not a JSON record"):
        load_json_record(p)


def test_verify_file__json_bundle__hashes_canonically(tmp_path):
    p = tmp_path / "r.json"
    p.write_text('{ "z": 1, "a": 2 }')
    d = hash_json({"a": 2, "z": 1})
    b = Bundle(
        digest=d,
        org_id=1,
        record_id=record_id(d, 1),
        chain_id=1,
        notary=NOTARY,
        encoding=ENCODING_JSON,
    )
    verify_file(b, p)
    with pytest.raises(BundleError, match="differs"):
        verify_file(b, p, ENCODING_BYTES)
