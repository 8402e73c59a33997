"""trustspace.notary.bundle: per-document proof bundles and their offline checks."""

import json

import pytest

from trustspace.crypto.hashing import hash_bytes, hash_file
from trustspace.notary.bundle import Bundle, BundleError, batch_bundles, verify_file, verify_offline
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
