"""Validator start-up checks, the bus config's new fields and where daemon keys come from."""

from __future__ import annotations

import json

import pytest
from eth_account import Account
from eth_utils.crypto import keccak

from trustspace.artifacts import artifact, immutable_windows, runtime_matches
from trustspace.bus.config import Announcements, ConfigError, load_config
from trustspace.bus.keys import KeySourceError, key_from_ape_account, key_from_env
from trustspace.bus.publish import parse_listen

RUNTIME = bytes.fromhex(artifact("MessageBus").runtime_bytecode.removeprefix("0x"))


def test_immutable_windows__message_bus__placeholders_found_outside_push_data():
    windows = [start for start, _ in immutable_windows(RUNTIME)]
    assert windows and all(
        RUNTIME[w - 1] == 0x7F and RUNTIME[w : w + 32] == bytes(32) for w in windows
    )
    code = bytes([0x7E]) + bytes(31) + bytes([0x7F]) + bytes(32)
    assert list(immutable_windows(code)) == [(33, 65)]


def test_runtime_matches__immutables_filled__matches_other_bytes_changed__does_not():
    windows = [start for start, _ in immutable_windows(RUNTIME)]
    deployed = bytearray(RUNTIME)
    for w in windows:
        deployed[w : w + 32] = keccak(bytes([w % 256]))
    assert runtime_matches(bytes(deployed), RUNTIME)
    changed = bytearray(deployed)
    changed[windows[0] - 2] ^= 0xFF  # an opcode next to an immutable
    assert not runtime_matches(bytes(changed), RUNTIME)
    assert not runtime_matches(bytes(deployed) + b"\x00", RUNTIME)


def write(tmp_path, **extra):
    chains: dict[str, dict[str, object]] = {
        "customs": {"rpc": "http://127.0.0.1:8546", "bus": "0x" + "11" * 20, "chain_id": 31338},
        "hub": {"rpc": "http://127.0.0.1:8545", "bus": "0x" + "22" * 20},
    }
    for name, spec in extra.pop("chains", {}).items():
        chains[name].update(spec)
    path = tmp_path / "bus.json"
    path.write_text(json.dumps({"chains": chains, "signatures": "sigs", **extra}))
    return path


def test_load_config__chain_id_codehash_announcements__read_and_written_back(tmp_path):
    registry = "0x" + "33" * 20
    path = write(tmp_path, chains={"hub": {"codehash": "0x" + "ab" * 32}},
                 announcements={"chain": "hub", "did_registry": registry})  # fmt: skip
    config = load_config(path)
    assert config.chain("customs").chain_id == 31338 and config.chain("hub").chain_id is None
    assert config.chain("hub").codehash == "0x" + "ab" * 32
    assert config.announcements == Announcements("hub", "0x" + "33" * 20)
    config.write(tmp_path / "again.json")
    assert load_config(tmp_path / "again.json").to_json() == config.to_json()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"chains": {"hub": {"chain_id": "31337"}}}, "chain_id must be an integer"),
        ({"chains": {"hub": {"codehash": "0x12"}}}, "codehash must be 0x and 64 hex digits"),
        ({"chains": {"hub": {"bus": "nowhere"}}}, "is not an address"),
        ({"announcements": {"chain": "mars", "did_registry": "0x" + "33" * 20}}, "announcements"),
    ],
)
def test_load_config__bad_new_fields__refused_naming_them(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, **extra))


def test_key_from_ape_account__keystore_and_passphrase_from_environment(tmp_path, monkeypatch):
    key = Account.from_key(keccak(text="ape validator"))
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "customs-validator.json").write_text(
        json.dumps(Account.encrypt(key.key, "correct horse"))
    )
    monkeypatch.setenv("APE_DATA_FOLDER", str(tmp_path))
    monkeypatch.delenv("APE_ACCOUNTS_customs-validator_PASSPHRASE", raising=False)
    with pytest.raises(KeySourceError, match="set APE_ACCOUNTS_customs-validator_PASSPHRASE"):
        key_from_ape_account("customs-validator")
    monkeypatch.setenv("APE_ACCOUNTS_customs-validator_PASSPHRASE", "wrong")
    with pytest.raises(KeySourceError, match="cannot decrypt"):
        key_from_ape_account("customs-validator")
    monkeypatch.setenv("APE_ACCOUNTS_customs-validator_PASSPHRASE", "correct horse")
    assert key_from_ape_account("customs-validator").address == key.address
    with pytest.raises(KeySourceError, match="no ape account 'other'"):
        key_from_ape_account("other")


def test_key_from_env__missing_or_not_a_key__refused(monkeypatch):
    monkeypatch.delenv("TS_TEST_KEY", raising=False)
    with pytest.raises(KeySourceError, match="set the environment variable TS_TEST_KEY"):
        key_from_env("TS_TEST_KEY")
    monkeypatch.setenv("TS_TEST_KEY", "not hex")
    with pytest.raises(KeySourceError, match="does not hold a private key"):
        key_from_env("TS_TEST_KEY")


def test_parse_listen__host_port__and_malformed_refused():
    assert parse_listen("127.0.0.1:9101") == ("127.0.0.1", 9101)
    assert parse_listen("[::1]:0") == ("::1", 0)
    for bad in ("9101", "127.0.0.1:", "host:99999", ":80"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_listen(bad)
