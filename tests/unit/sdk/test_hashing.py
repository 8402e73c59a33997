"""trustspace.crypto.hashing: streamed SHA-256, RFC 8785 canonical JSON, hex helpers."""

import hashlib

import pytest

from trustspace.crypto.hashing import (
    canonical_json,
    from_hex,
    hash_bytes,
    hash_file,
    hash_json,
    keccak,
    to_hex,
)


def test_hash_file__streamed_in_small_chunks__equals_sha256(tmp_path):
    data = bytes(range(256)) * 1000
    path = tmp_path / "doc.bin"
    path.write_bytes(data)
    assert hash_file(path, chunk_size=7) == hashlib.sha256(data).digest()
    assert hash_file(path) == hash_bytes(data)


def test_hash_file__empty_file__sha256_of_nothing(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert hash_file(path) == hashlib.sha256(b"").digest()


def test_hash_file__bad_chunk_size_or_missing__raises(tmp_path):
    with pytest.raises(ValueError):
        hash_file(tmp_path, chunk_size=0)
    with pytest.raises(FileNotFoundError):
        hash_file(tmp_path / "missing")


def test_canonical_json__key_order_and_spacing__same_bytes():
    a = {"b": 1, "a": [1.0, "x", {"d": None, "c": True}]}
    b = {"a": [1, "x", {"c": True, "d": None}], "b": 1}
    assert canonical_json(a) == canonical_json(b) == b'{"a":[1,"x",{"c":true,"d":null}],"b":1}'
    assert hash_json(a) == hash_json(b)


def test_canonical_json__rfc8785_number_and_string_forms():
    assert canonical_json([1e21, 0.1, -0.0, "\u20ac\n"]) == '[1e+21,0.1,0,"€\\n"]'.encode()


def test_canonical_json__nan__raises():
    with pytest.raises(ValueError):
        canonical_json(float("nan"))


def test_keccak__known_vector():
    assert keccak(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


def test_hex__round_trip_and_length_checked():
    d = hash_bytes(b"x")
    assert from_hex(to_hex(d)) == d
    assert from_hex(d.hex()) == d
    with pytest.raises(ValueError):
        from_hex("0x1234")
    with pytest.raises(ValueError):
        from_hex("0xzz" + "00" * 31)
