"""Issue 11, finding 2: one organisation must not be able to stop every relayer.

The shared signature folder is written by several organisations' validators. A hostile
(or broken) one writes whatever it likes wherever it can: malformed names and files,
self-signed checkpoints naming another origin bus, squats under another validator's
name. Each test performs one attack the way it worked on the old store (its layout,
``<root>/<origin>/<index>-<root>/<signer>.json``) *and* on the current one
(``<root>/<signer>/<origin>/<index>-<root>-<bus>.json``), then checks that the genuine
signatures still come through and that nothing raises.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.bus.checkpoint import Checkpoint, sign_checkpoint
from trustspace.bus.signatures import SignatureStore

ORIGIN = 31338
BUS = to_checksum_address("0x00000000000000000000000000000000000b0515")
OTHER_BUS = to_checksum_address("0x000000000000000000000000000000000000bad0")
HONEST = [Account.from_key(keccak(text=f"honest validator {i}")) for i in range(3)]
HOSTILE = Account.from_key(keccak(text="hostile validator"))
GENUINE = Checkpoint(ORIGIN, BUS, keccak(b"the origin's real root"), 41)


def old_path(root: Path, cp: Checkpoint, name: str) -> Path:
    return root / str(cp.origin) / f"{cp.index:010d}-{cp.root.hex()}" / name


def new_path(root: Path, cp: Checkpoint, owner: str, bus: str | None = None) -> Path:
    bus_hex = to_checksum_address(bus or cp.origin_bus)[2:].lower()
    return (
        root / to_checksum_address(owner) / str(cp.origin)
        / f"{cp.index:010d}-{cp.root.hex()}-{bus_hex}.json"
    )  # fmt: skip


def write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


def record(cp: Checkpoint, signer: str, signature: bytes) -> str:
    return json.dumps({
        "origin": cp.origin, "origin_bus": cp.origin_bus, "root": "0x" + cp.root.hex(),
        "index": cp.index, "signer": signer, "signature": "0x" + signature.hex(),
    })  # fmt: skip


def publish_genuine(store: SignatureStore) -> None:
    for key in HONEST:
        store.publish(GENUINE, key.address, sign_checkpoint(GENUINE, key.key))


def genuine_signers(store: SignatureStore) -> set[str]:
    for signed in store.checkpoints(ORIGIN):
        if signed.checkpoint == GENUINE:
            return set(signed.signatures)
    return set()


MALFORMED = {
    "empty list": "[]",
    "null": "null",
    "not json": "\x00\x01garbage{",
    "all-zero signature": json.dumps(
        {
            "origin": ORIGIN,
            "origin_bus": BUS,
            "root": "0x" + GENUINE.root.hex(),
            "index": GENUINE.index,
            "signer": HOSTILE.address,
            "signature": "0x" + "00" * 65,
        }
    ),
    "wrong types": json.dumps(
        {
            "origin": "31338",
            "origin_bus": 5,
            "root": None,
            "index": [],
            "signer": {},
            "signature": True,
        }
    ),
    "deep nesting": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
def test_signature_store__malformed_entry__skipped_with_a_warning_genuine_still_read(
    tmp_path, caplog, content
):
    """(a) One malformed file, in every place a validator can write, must not stop a scan."""
    store = SignatureStore(tmp_path)
    publish_genuine(store)
    write(old_path(tmp_path, GENUINE, f"{HOSTILE.address}.json"), content)
    write(new_path(tmp_path, GENUINE, HOSTILE.address), content)
    with caplog.at_level(logging.WARNING, logger="trustspace.signatures"):
        assert genuine_signers(store) == {k.address for k in HONEST}
    assert "ignoring" in caplog.text


def test_signature_store__folders_and_files_with_foreign_names__skipped_with_a_warning(
    tmp_path, caplog
):
    """(a) A folder not named ``<int>-<hex>`` (or by an address), stray files, a FIFO."""
    store = SignatureStore(tmp_path)
    publish_genuine(store)
    (tmp_path / str(ORIGIN) / "not-a-checkpoint").mkdir(parents=True)
    (tmp_path / str(ORIGIN) / "12-zz").mkdir()
    write(tmp_path / "README.json", "{}")
    own = tmp_path / HOSTILE.address / str(ORIGIN)
    (own / "9999999999-nothex").mkdir(parents=True)
    write(own / "garbage.json", "[]")
    write(own / ("0000000041-" + "ab" * 32 + ".json"), "{}")
    os.mkfifo(new_path(tmp_path, GENUINE, HOSTILE.address))  # a reader that opened it would hang
    with caplog.at_level(logging.WARNING, logger="trustspace.signatures"):
        assert genuine_signers(store) == {k.address for k in HONEST}
        assert store.signers_covering(ORIGIN, 41).keys() == {k.address for k in HONEST}
    assert "not a validator folder" in caplog.text or "not a signature file name" in caplog.text


def test_signature_store__self_signed_entry_naming_another_origin_bus__genuine_not_hidden(
    tmp_path,
):
    """(b) The old store let the first file read decide the checkpoint's origin bus: one
    validly self-signed entry naming another bus hid every genuine signature of the folder.
    Many such files make the hostile one almost surely the first read on the old store."""
    store = SignatureStore(tmp_path)
    publish_genuine(store)
    decoy = Checkpoint(ORIGIN, OTHER_BUS, GENUINE.root, GENUINE.index)
    signature = sign_checkpoint(decoy, HOSTILE.key)
    content = record(decoy, HOSTILE.address, signature)
    for n in range(40):
        write(old_path(tmp_path, GENUINE, f"0x{n:040x}.json"), content)
    write(new_path(tmp_path, decoy, HOSTILE.address), content)
    groups = {s.checkpoint: set(s.signatures) for s in store.checkpoints(ORIGIN)}
    assert groups[GENUINE] == {k.address for k in HONEST}
    assert groups.get(decoy, {HOSTILE.address}) == {HOSTILE.address}  # grouped apart, if read


def test_signature_store__entry_in_a_foreign_folder__not_trusted_for_its_owner(tmp_path):
    """(b) A validator's folder speaks only for that validator: a genuine-looking entry of
    another signer placed there (here the high-s twin anyone can derive from a genuine
    signature, which the bus refuses) is not counted."""
    store = SignatureStore(tmp_path)
    victim = HONEST[0]
    genuine = sign_checkpoint(GENUINE, victim.key)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(genuine[32:64], "big")
    twin = genuine[:32] + (n - s).to_bytes(32, "big") + bytes([55 - genuine[64]])
    write(new_path(tmp_path, GENUINE, HOSTILE.address), record(GENUINE, victim.address, genuine))
    write(new_path(tmp_path, GENUINE, victim.address), record(GENUINE, victim.address, twin))
    assert genuine_signers(store) == set()


def test_signature_store__squatted_file_under_a_validators_name__does_not_count_as_signed(
    tmp_path,
):
    """(c) A file squatted where a validator's signature goes, before it signs, made
    ``has()`` true, so that validator never signed that checkpoint."""
    store = SignatureStore(tmp_path)
    victim = HONEST[1]
    squat = record(GENUINE, victim.address, sign_checkpoint(GENUINE, HOSTILE.key))
    write(old_path(tmp_path, GENUINE, f"{victim.address}.json"), squat)
    write(new_path(tmp_path, GENUINE, victim.address), squat)
    assert not store.has(GENUINE, victim.address)
    other = Checkpoint(ORIGIN, BUS, keccak(b"another root"), GENUINE.index)
    write(new_path(tmp_path, GENUINE, victim.address),
          record(other, victim.address, sign_checkpoint(other, victim.key)))  # fmt: skip
    assert not store.has(GENUINE, victim.address)  # a genuine signature, of another checkpoint
    store.publish(GENUINE, victim.address, sign_checkpoint(GENUINE, victim.key))
    assert store.has(GENUINE, victim.address)
    assert genuine_signers(store) == {victim.address}
