"""A party's key share at rest: scrypt + AES-GCM through ``cryptography``."""

from __future__ import annotations

import json
import stat

import pytest

from trustspace.compute import dkg
from trustspace.compute.keystore import KeystoreError, load_share, save_share


@pytest.fixture(scope="module")
def share():
    return dkg.run_in_process([1, 2, 3], 2)[2]


def test_save_share__then_load_with_the_passphrase__gives_the_same_share(tmp_path, share):
    path = tmp_path / "key.json"
    save_share(path, share, "correct horse", {"org": 2})

    loaded, public = load_share(path, "correct horse")

    assert loaded == share
    assert public["org"] == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert hex(share.secret)[2:] not in path.read_text()
    assert str(share.secret) not in path.read_text()


def test_load_share__wrong_passphrase__refused(tmp_path, share):
    path = tmp_path / "key.json"
    save_share(path, share, "correct horse", {})

    with pytest.raises(KeystoreError, match=r"wrong passphrase or altered file$"):
        load_share(path, "battery staple")


def test_load_share__public_part_altered__refused(tmp_path, share):
    path = tmp_path / "key.json"
    save_share(path, share, "correct horse", {})
    document = json.loads(path.read_text())
    document["public"]["threshold"] = 1
    path.write_text(json.dumps(document))

    with pytest.raises(KeystoreError, match=r"wrong passphrase or altered file$"):
        load_share(path, "correct horse")


def test_save_share__empty_passphrase__refused(tmp_path, share):
    with pytest.raises(KeystoreError, match=r"^an empty passphrase cannot protect a key share$"):
        save_share(tmp_path / "key.json", share, "", {})


def test_load_share__not_a_key_file__refused(tmp_path):
    path = tmp_path / "key.json"
    path.write_text("[]")

    with pytest.raises(KeystoreError, match=r"not a key share file"):
        load_share(path, "x")


def test_save_share__over_an_existing_key_file__refused_and_file_unchanged(tmp_path, share):
    path = tmp_path / "key.json"
    save_share(path, share, "correct horse", {"org": 2})
    before = path.read_text()

    with pytest.raises(KeystoreError, match=r"a key share is already saved there; it is never"):
        save_share(path, share, "other", {"org": 9})
    assert path.read_text() == before


def test_party__home_holding_another_organisations_share__refused_naming_both(tmp_path, share):
    from trustspace.compute.party import Party

    save_share(tmp_path / "key.json", share, "correct horse", {"org": 1})
    assert Party(tmp_path, 1, "correct horse").share is not None
    with pytest.raises(KeystoreError, match="belongs to organisation 1, not 2"):
        Party(tmp_path, 2, "correct horse")
