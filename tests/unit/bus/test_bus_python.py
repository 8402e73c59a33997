"""The Python half of the bus: message codec, tree mirror, checkpoint signing, stores."""

import json
from dataclasses import replace

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies.bus import addresses, leaf_counts, messages, trees_with_index
from trustspace.bus.checkpoint import Checkpoint, recover_signer, select_signatures, sign_checkpoint
from trustspace.bus.message import Message, MessageFormatError
from trustspace.bus.signatures import SignatureStore
from trustspace.bus.store import DELIVERED, PENDING, RelayStore
from trustspace.bus.tree import (
    ZERO_HASHES,
    IncrementalTree,
    MessageTree,
    height_for,
    verify,
)

KEYS = [Account.from_key(keccak(text=f"validator {i}")) for i in range(5)]
BUS = to_checksum_address("0x00000000000000000000000000000000000b0515")


@given(messages())
def test_message__encode_decode_round_trip(message):
    raw = message.encode()
    assert len(raw) == 77 + len(message.body)
    assert raw[33:53] == bytes.fromhex(message.destination_bus[2:])
    assert Message.decode(raw) == message
    assert message.id == keccak(raw)


@given(messages(), addresses)
def test_message__id_names_the_destination_bus(message, other_bus):
    moved = replace(message, destination_bus=other_bus)
    assert (moved.id == message.id) == (other_bus == message.destination_bus)


def test_message__short_or_unknown_version__refused():
    with pytest.raises(MessageFormatError, match="shorter than its header"):
        Message.decode(b"\x02" * 76)
    # Version 1 (no destination bus in the header) is no longer read.
    for version in (1, 3):
        with pytest.raises(MessageFormatError, match=f"unknown message version {version}"):
            Message.decode(bytes([version]) + b"\x00" * 80)


@given(leaf_counts)
def test_incremental_tree__matches_full_tree(count):
    inc, full = IncrementalTree(), MessageTree()
    for i in range(count):
        leaf = keccak(i.to_bytes(4, "big"))
        inc.insert(leaf)
        full.append(leaf)
    assert inc.root() == full.root()
    assert height_for(count) == max(0, (count - 1).bit_length())


def test_empty_tree__root_is_the_empty_subtree():
    assert IncrementalTree().root() == MessageTree().root() == ZERO_HASHES[32]


@given(trees_with_index())
def test_proofs__verify_and_tampering_fails(tree_index):
    leaves, index = tree_index
    tree = MessageTree(leaves)
    count = len(leaves)
    proof = tree.proof(index, count)
    root = tree.root()
    assert verify(leaves[index], index, proof, root)
    if proof:
        forged = [*proof]
        forged[0] = keccak(forged[0])
        assert not verify(leaves[index], index, forged, root)
    assert not verify(keccak(leaves[index]), index, proof, root)
    if count > 1:
        assert (
            not verify(leaves[index], (index + 1) % count, proof, root)
            or leaves[index] == leaves[(index + 1) % count]
        )


@given(st.binary(min_size=32, max_size=32), st.integers(min_value=0, max_value=2**32 - 1))
def test_checkpoint_digest__is_eip712(root, index):
    cp = Checkpoint(31338, BUS, root, index)
    typed = encode_typed_data(full_message=cp.typed_data())
    assert keccak(b"\x19" + typed.version + typed.header + typed.body) == cp.digest()


def test_sign_and_recover():
    cp = Checkpoint(31338, BUS, keccak(b"root"), 9)
    signature = sign_checkpoint(cp, KEYS[0].key)
    assert len(signature) == 65
    assert recover_signer(cp, signature) == KEYS[0].address
    assert recover_signer(Checkpoint(31339, BUS, cp.root, 9), signature) != KEYS[0].address


def test_select_signatures__one_per_organisation_sorted_threshold():
    cp = Checkpoint(31338, BUS, keccak(b"root"), 0)
    sigs = {k.address: sign_checkpoint(cp, k.key) for k in KEYS}
    # Keys 0 and 1 belong to the same organisation; key 4 is not in the set.
    orgs = {KEYS[0].address: 1, KEYS[1].address: 1, KEYS[2].address: 2, KEYS[3].address: 3}
    packed = select_signatures(sigs, orgs, 3)
    assert packed is not None and len(packed) == 3 * 65
    signers = [recover_signer(cp, packed[i : i + 65]) for i in range(0, len(packed), 65)]
    assert signers == sorted(signers, key=lambda a: int(a, 16))
    assert len({orgs[s] for s in signers}) == 3
    assert select_signatures(sigs, orgs, 4) is None


def test_signature_store__publish_read_and_ignore_forgeries(tmp_path):
    store = SignatureStore(tmp_path)
    cp = Checkpoint(31338, BUS, keccak(b"root"), 3)
    for key in KEYS[:3]:
        store.publish(cp, key.address, sign_checkpoint(cp, key.key))
    store.publish(cp, KEYS[3].address, sign_checkpoint(cp, KEYS[4].key))  # claims the wrong signer
    (signed,) = list(store.checkpoints(31338))
    assert signed.checkpoint == cp
    assert set(signed.signatures) == {k.address for k in KEYS[:3]}
    assert store.has(cp, KEYS[0].address) and not store.has(cp, KEYS[4].address)
    assert not any(p.name.startswith(".tmp") for p in tmp_path.rglob("*"))
    later = Checkpoint(31338, BUS, keccak(b"later"), 7)
    store.publish(later, KEYS[0].address, sign_checkpoint(later, KEYS[0].key))
    assert [s.checkpoint.index for s in store.checkpoints(31338)] == [7, 3]
    assert [s.checkpoint.index for s in store.checkpoints(31338, min_index=4)] == [7]
    assert store.signers_covering(31338, 3)[KEYS[0].address] == 7


def test_relay_store__scan_is_atomic_and_leaves_stop_at_gaps(tmp_path):
    store = RelayStore(tmp_path / "relay.sqlite")
    rows = [(n, keccak(bytes([n])), 31339, b"raw", 10 + n, PENDING) for n in (0, 1, 3)]
    store.record_scan(31338, 20, rows)
    assert store.next_block(31338) == 20
    assert store.leaves(31338) == [keccak(b"\x00"), keccak(b"\x01")]
    store.record_scan(31338, 25, rows)  # rescanning is harmless
    assert store.counts() == {PENDING: 3}
    store.settle(None, "", {(31338, 0): (DELIVERED, None)})
    assert [m.nonce for m in store.due(31338, 31339, PENDING, 10)] == [1, 3]
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("UPDATE cursors SET next_block = 99")
        raise RuntimeError("killed mid-way")
    assert store.next_block(31338) == 25
    store.close()


def test_config__round_trip(tmp_path):
    from trustspace.bus.config import BusConfig, ChainConfig, ConfigError, load_config

    config = BusConfig(
        {
            "a": ChainConfig("a", "http://127.0.0.1:1", BUS),
            "b": ChainConfig("b", "http://127.0.0.1:2", BUS),
        },
        tmp_path / "sigs",
        tmp_path / "db.sqlite",
    )
    config.write(tmp_path / "bus.json")
    assert load_config(tmp_path / "bus.json") == config
    (tmp_path / "bad.json").write_text(json.dumps({"chains": {}}))
    with pytest.raises(ConfigError):
        load_config(tmp_path / "bad.json")
