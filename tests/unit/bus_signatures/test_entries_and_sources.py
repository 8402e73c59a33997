"""trustspace.bus.signatures: the entry gate, grouping and merging of sources."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.bus.checkpoint import Checkpoint, sign_checkpoint
from trustspace.bus.signatures import (
    BadEntry,
    Combined,
    SignatureEntry,
    SignatureStore,
    SignedCheckpoint,
    loads_entry,
    parse_entry,
)

KEYS = [Account.from_key(keccak(text=f"unit validator {i}")) for i in range(3)]
BUS = to_checksum_address("0x00000000000000000000000000000000000b0515")
CP = Checkpoint(31338, BUS, keccak(b"root"), 4)


def entry(cp=CP, key=KEYS[0]) -> dict:
    return SignatureEntry(cp, key.address, sign_checkpoint(cp, key.key)).to_json()


def test_parse_entry__genuine__round_trips():
    parsed = parse_entry(entry())
    assert parsed.checkpoint == CP and parsed.signer == KEYS[0].address
    assert parse_entry(parsed.to_json()) == parsed


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("origin", True, "origin is not a uint32"),
        ("origin", 2**32, "origin is not a uint32"),
        ("index", -1, "index is not a uint32"),
        ("origin_bus", "0x1234", "origin_bus is not an address"),
        ("root", "0x" + "00" * 32, "root is zero"),
        ("root", "ab" * 32, "root is not 32 bytes of 0x-hex"),
        ("signer", KEYS[1].address, "does not recover to"),
        ("signature", "0x" + "00" * 65, "out of range or malleable"),
        ("signature", "0x" + "11" * 64, "signature is not 65 bytes"),
    ],
)
def test_parse_entry__each_bad_field__refused_with_its_reason(field, value, reason):
    with pytest.raises(BadEntry, match=reason):
        parse_entry({**entry(), field: value})


def test_parse_entry__signature_of_another_checkpoint__refused():
    other = Checkpoint(31338, BUS, keccak(b"other"), 4)
    with pytest.raises(BadEntry, match="does not recover"):
        parse_entry({**entry(), "signature": entry(other)["signature"]})


def test_loads_entry__nan_and_non_objects__refused():
    with pytest.raises(BadEntry, match="not JSON"):
        loads_entry('{"origin": NaN}')
    with pytest.raises(BadEntry, match="not a JSON object"):
        loads_entry("[]")


class Fixed:
    def __init__(self, groups):
        self.groups = groups

    def checkpoints(self, origin, min_index=0, max_index=None):
        return iter(self.groups)


def test_combined__same_checkpoint_from_two_sources__signatures_united_newest_first(tmp_path):
    store = SignatureStore(tmp_path)
    store.publish(CP, KEYS[0].address, sign_checkpoint(CP, KEYS[0].key))
    later = Checkpoint(31338, BUS, keccak(b"later"), 9)
    http = Fixed([
        SignedCheckpoint(later, {KEYS[2].address: sign_checkpoint(later, KEYS[2].key)}),
        SignedCheckpoint(CP, {KEYS[1].address: sign_checkpoint(CP, KEYS[1].key)}),
    ])  # fmt: skip
    merged = list(Combined([store, http]).checkpoints(31338))
    assert [s.checkpoint for s in merged] == [later, CP]
    assert set(merged[1].signatures) == {KEYS[0].address, KEYS[1].address}


def test_signature_store__index_range__only_those_read(tmp_path):
    store = SignatureStore(tmp_path)
    for index in (1, 4, 9):
        cp = Checkpoint(31338, BUS, keccak(bytes([index])), index)
        store.publish(cp, KEYS[0].address, sign_checkpoint(cp, KEYS[0].key))
    found = [s.checkpoint.index for s in store.checkpoints(31338, min_index=2, max_index=8)]
    assert found == [4]
    assert [e.checkpoint.index for e in store.own(KEYS[0].address, 31338)] == [9, 4, 1]
