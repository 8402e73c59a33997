"""Every user mistake of the notary commands, as a newcomer makes it from a shell.

Each mistake, run from a folder outside the checkout with ``TRUSTSPACE_DEPLOYMENTS`` pointing
at an empty records folder, gives one line saying what was wrong and what to do, the right
exit code and no traceback; with ``--json`` exactly one JSON document on stdout. Every case
runs in this process through the root group (tests/utils/cli_run.py: the same argv, no
interpreter start per case); ``.venv/bin/trustspace`` runs as a subprocess for a few of them
(a refused file, the chain down with ``--json``, an anchoring refused on the executable's own
in-process chain), so that the installed entry point stays proven. (Mistakes that need a deployed suite — unknown schema,
account without the role, re-notarizing, revoking twice, unknown record — are walked through
the same root group in tests/integration/test_notary_cli.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.utils.cli_run import invoke
from trustspace.devnet.chains import free_port
from trustspace.notary.tree import record_id

TRUSTSPACE = str(Path(sys.executable).with_name("trustspace"))
BUNDLE = {
    "type": "trustspace.bundle",
    "version": 1,
    "document": {"name": "a.txt", "digest": "0x" + "11" * 32, "hash": "sha256"},
    "attestation": {"record_id": "0x" + "22" * 32, "org_id": 1, "chain_id": 4242,
                    "notary": "0x" + "33" * 20},
    "batch": None,
}  # fmt: skip


@pytest.fixture
def files(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "bad.json").write_text('{"name": ')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "rec.json").write_text('{"name": "ACME"}')
    (tmp_path / "rec.commitment.json").write_text("salts of an anchored root")
    (tmp_path / "b.json").write_text("{")
    (tmp_path / "c4242.json").write_text(json.dumps(BUNDLE))
    # A self-consistent bundle of a single attestation (its record id follows from it).
    single = json.loads(json.dumps(BUNDLE))
    single["attestation"]["record_id"] = "0x" + record_id(b"\x11" * 32, 1).hex()
    (tmp_path / "single.json").write_text(json.dumps(single))
    return tmp_path


def _env(cwd):
    return {
        "TRUSTSPACE_DEPLOYMENTS": str(cwd / "deployments"),
        "TRUSTSPACE_HOME": str(cwd / "home"),
        "COLUMNS": "400",
    }


def _run(cwd, args):
    """The command in this process (see tests/utils/cli_run.py)."""
    return invoke(args, cwd, _env(cwd))


def _shell(cwd, args):
    """The installed ``trustspace`` as a subprocess, as people run it."""
    return subprocess.run(
        [TRUSTSPACE, *args], cwd=cwd, env={**os.environ, **_env(cwd)}, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


DOWN = f"http://127.0.0.1:{free_port()}"

CASES = {
    "missing file": (["verify", "nope.txt", "--bundle", "b.json"], 2, "does not exist"),
    "malformed bundle": (["verify", "a.txt", "--bundle", "b.json"], 2, "not JSON"),
    "malformed --notary": (
        ["verify", "a.txt", "--bundle", "c4242.json", "--notary", "0x12"], 2, "is not an address"
    ),
    "no network for the bundle's chain": (
        ["trace", "--bundle", "c4242.json"], 2, "is chain 4242: pass --network"
    ),
    "malformed record id": (["trace", "0x12", "--network", DOWN], 2, "RECORD_ID"),
    "notarize missing --schema": (["notarize", "a.txt", "--account", "TEST::0"], 2, "--schema"),
    "malformed --parent": (
        ["notarize", "a.txt", "--schema", "1", "--account", "TEST::0", "--parent", "xyz"],
        2, "--parent",
    ),
    "unknown account alias (told before connecting)": (
        ["notarize", "a.txt", "--schema", "1", "--account", "nobody", "--network", DOWN],
        2, "unknown account 'nobody'",
    ),
    "no such test account": (
        ["revoke", "0x" + "ab" * 32, "--account", "TEST::99", "--network", DOWN],
        2, "no local test account TEST::99",
    ),
    "chain down": (["trace", "0x" + "ab" * 32, "--network", DOWN], 3, "cannot reach"),
    "malformed JSON to disclose": (["disclose", "bad.json"], 2, "not a JSON record"),
    "a list to disclose": (["disclose", "list.json"], 2, "must be a JSON object of fields"),
    "disclose over an existing commitment": (["disclose", "rec.json"], 2, "--force"),
    "anchor without account": (
        ["disclose", "rec.json", "--anchor", "--commitment", "new.json"], 2, "--anchor needs --account"
    ),
    "mirror to an unknown chain": (
        ["mirror", "0x" + "ab" * 32, "--to", "nowhere", "--account", "TEST::0"], 2, "not a chain id"
    ),
    "mirror without a record or a revocation": (
        ["mirror", "--to", "tax", "--account", "TEST::0"], 2, "give RECORD_ID (an attestation or a batch)"
    ),
    "mirror a record and a revocation at once": (
        ["mirror", "0x" + "ab" * 32, "--revocation", "single.json", "--to", "tax", "--account",
         "TEST::0"], 2, "give RECORD_ID or --revocation BUNDLE, not both",
    ),
    "mirror the revocation of a malformed bundle": (
        ["mirror", "--revocation", "b.json", "--to", "tax", "--account", "TEST::0"], 2,
        "--revocation b.json: ",
    ),
    "mirror the revocation of an edited bundle": (
        ["mirror", "--revocation", "c4242.json", "--to", "tax", "--account", "TEST::0"], 2,
        "--revocation c4242.json: ",
    ),
    "mirror the revocation of a single attestation": (
        ["mirror", "--revocation", "single.json", "--to", "tax", "--account", "TEST::0"], 2,
        "not of a document of a batch",
    ),
}  # fmt: skip


#: click's own usage errors print the usage and a hint above the error line.
USAGE_ERRORS = {"missing file", "notarize missing --schema"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_notary_cli_mistake__one_line_exit_code_no_traceback(files, case):
    args, code, says = CASES[case]
    human = _run(files, args)
    assert human.returncode == code, (human.stdout, human.stderr)
    assert says in " ".join(human.stderr.split()), human.stderr
    assert "Traceback" not in human.stderr + human.stdout
    if case not in USAGE_ERRORS:
        assert len(human.stderr.strip().splitlines()) == 1, human.stderr
    as_json = _run(files, [*args, "--json"])
    assert as_json.returncode == code, (as_json.stdout, as_json.stderr)
    doc = json.loads(as_json.stdout)  # exactly one document
    assert doc["ok"] is False and doc["exit_code"] == code and says in doc["error"]
    assert "Traceback" not in as_json.stderr
    assert (files / "rec.commitment.json").read_text() == "salts of an anchored root"


def test_disclose_anchor__chain_down__refused_before_sending__no_commitment_file_left(files):
    """A refused anchoring leaves no commitment behind: a salts file for a root that is on no
    chain would later yield disclosures that can never verify."""
    (files / "fresh.json").write_text('{"name": "ACME", "value": 1}')
    args = ["disclose", "fresh.json", "--anchor", "--account", "TEST::0", "--network", DOWN]
    result = _run(files, args)
    assert result.returncode in (2, 3), result.stderr
    assert "Traceback" not in result.stderr
    assert not (files / "fresh.commitment.json").exists()


def test_notary_cli_mistakes_from_a_shell__same_line_code_and_one_document(files):
    """The installed executable, for a refused file, the chain down with ``--json``, and an
    anchoring refused on its own in-process chain (no trusted Notary there; in this process
    that network would be the test session's own provider)."""
    args, code, says = CASES["malformed bundle"]
    human = _shell(files, args)
    assert human.returncode == code, (human.stdout, human.stderr)
    assert says in " ".join(human.stderr.split()), human.stderr
    assert len(human.stderr.strip().splitlines()) == 1, human.stderr
    assert "Traceback" not in human.stderr + human.stdout
    args, code, says = CASES["chain down"]
    as_json = _shell(files, [*args, "--json"])
    assert as_json.returncode == code, (as_json.stdout, as_json.stderr)
    doc = json.loads(as_json.stdout)  # exactly one document
    assert doc["ok"] is False and doc["exit_code"] == code and says in doc["error"]
    assert "Traceback" not in as_json.stderr
    (files / "fresh.json").write_text('{"name": "ACME", "value": 1}')
    args = ["disclose", "fresh.json", "--anchor", "--account", "TEST::0", "--network"]
    anchored = _shell(files, [*args, "ethereum:local"])
    assert anchored.returncode in (2, 3), anchored.stderr
    assert "Traceback" not in anchored.stderr
    assert not (files / "fresh.commitment.json").exists()
