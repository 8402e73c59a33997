"""Every user mistake of ``trustspace compute``, as a newcomer makes it from a shell.

Each mistake gives one line saying what was wrong, the right exit code and no traceback.
The human form of every mistake runs through the root group in process (click's
CliRunner: the same code path, milliseconds instead of seconds), and ``--json`` once per way
of failing (a refused input, an unreachable party, an unreachable chain, a usage error):
exactly one JSON document on stdout. ``.venv/bin/trustspace`` runs as a subprocess from a
folder outside the checkout for two of those (a usage error, the chain down) and for a party
refused before serving, so that the installed entry point stays proven. Mistakes that need running parties and
a chain (a second contribution, an offline party) are walked through in
tests/integration/test_compute_cli.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.utils.cli_run import invoke
from trustspace.cli import main
from trustspace.devnet.chains import free_port

TRUSTSPACE = str(Path(sys.executable).with_name("trustspace"))
DOWN = f"http://127.0.0.1:{free_port()}"
UP_LATER = ["--party", DOWN, "--party", f"http://127.0.0.1:{free_port()}"]
ACCOUNT = ["--account", "TEST::1"]

CASES = {
    "keygen without parties": (["keygen", "--threshold", "2"], 2, "name the parties with --party URL"),
    "keygen with a malformed party": (
        ["keygen", "--party", "127.0.0.1:80", "--threshold", "1"], 2, "give the party's URL"
    ),
    "keygen with a threshold above the parties": (
        ["keygen", *UP_LATER, "--threshold", "3"], 2, "--threshold 3 is more than the 2 parties"
    ),
    "keygen with a party twice": (
        ["keygen", "--party", DOWN, "--party", DOWN, "--threshold", "1"], 2, "named twice"
    ),
    "keygen with a party down": (["keygen", *UP_LATER, "--threshold", "1"], 3, "is unreachable"),
    "contribute a word": (
        ["contribute", "--computation", "1", "--party", DOWN, *ACCOUNT, "--values", "1,x"], 2,
        "'x' is not a whole number",
    ),
    "contribute a figure too large": (
        ["contribute", "--computation", "1", "--party", DOWN, *ACCOUNT, "--values", "16777216"], 2,
        "16777216 is outside 0 … 16777215",
    ),
    "contribute without figures": (
        ["contribute", "--computation", "1", "--party", DOWN, *ACCOUNT], 2,
        "give the figures with --values",
    ),
    "contribute a missing values file": (
        ["contribute", "--computation", "1", "--party", DOWN, *ACCOUNT, "--values-file", "no.json"],
        2, "not a JSON list of integers",
    ),
    "contribute to a party down": (
        ["contribute", "--computation", "1", "--party", DOWN, *ACCOUNT, "--values", "1"], 3,
        "is unreachable",
    ),
    "computation id zero": (
        ["show", "--computation", "0"], 2, "Invalid value for '--computation'"
    ),
    "open with malformed participants": (
        ["open", "--party", DOWN, *ACCOUNT, "--participants", "customs,tax", "--description", "x"],
        2, "organisation ids, e.g. 1,2,4",
    ),
    "show on a chain that is down": (
        ["show", "--computation", "1", "--network", DOWN, "--computations", "0x" + "11" * 20], 3,
        "cannot reach",
    ),
}  # fmt: skip
#: Run with --json too (one per way of failing).
JSON_CASES = (
    "contribute a word",
    "keygen with a party down",
    "computation id zero",
    "show on a chain that is down",
)
#: Of those, run through the installed executable as well.
SHELL_CASES = ("computation id zero", "show on a chain that is down")
#: click's own usage errors print the usage and a hint above the error line.
USAGE_ERRORS = {"computation id zero"}


def _run(cwd, args):
    env = {**os.environ, "TRUSTSPACE_DEPLOYMENTS": str(cwd / "deployments"), "COLUMNS": "400"}
    env.pop("TRUSTSPACE_COMPUTE_PASSPHRASE", None)
    return subprocess.run(
        [TRUSTSPACE, "compute", *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("case", sorted(set(CASES) - USAGE_ERRORS))
def test_compute_cli_mistake__one_line_exit_code_no_traceback(tmp_path, monkeypatch, case):
    args, code, says = CASES[case]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRUSTSPACE_COMPUTE_PASSPHRASE", raising=False)
    result = CliRunner(mix_stderr=False).invoke(main, ["compute", *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert says in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("case", JSON_CASES)
def test_compute_cli_mistake__json__one_document(tmp_path, case):
    args, code, says = CASES[case]
    env = {"TRUSTSPACE_DEPLOYMENTS": str(tmp_path / "deployments"), "COLUMNS": "400",
           "TRUSTSPACE_COMPUTE_PASSPHRASE": None}  # fmt: skip
    as_json = invoke(["compute", *args, "--json"], tmp_path, env)
    assert as_json.returncode == code, (as_json.stdout, as_json.stderr)
    doc = json.loads(as_json.stdout)  # exactly one document
    assert doc["ok"] is False and doc["exit_code"] == code and says in doc["error"]
    assert "Traceback" not in as_json.stderr


def test_compute_cli_mistakes_from_a_shell__one_json_document_each(tmp_path):
    """The installed executable: a usage error and the chain down with ``--json``, and a party
    refused before serving (a process: had it started serving, the timeout would say so)."""
    for case in SHELL_CASES:
        args, code, says = CASES[case]
        as_json = _run(tmp_path, [*args, "--json"])
        assert as_json.returncode == code, (case, as_json.stdout, as_json.stderr)
        doc = json.loads(as_json.stdout)  # exactly one document
        assert doc["ok"] is False and doc["exit_code"] == code and says in doc["error"]
        assert "Traceback" not in as_json.stderr
    result = _run(
        tmp_path, ["party", "run", "--home", "h", "--org", "1", "--port", str(free_port())]
    )
    assert result.returncode == 2
    assert "set TRUSTSPACE_COMPUTE_PASSPHRASE" in result.stderr
    assert not (tmp_path / "h").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--rpc", "http://127.0.0.1:1", "--computations", "0x1234"], "--computations: '0x1234' is not an address"),
        (["--rpc", "127.0.0.1:8545", "--computations", "0x" + "11" * 20], "is not an http(s) JSON-RPC URL"),
    ],
    ids=["malformed computations address", "rpc without scheme"],
)  # fmt: skip
def test_party_run__malformed_chain_options__one_line_before_serving(
    tmp_path, monkeypatch, args, says
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRUSTSPACE_COMPUTE_PASSPHRASE", "a passphrase")
    result = CliRunner(mix_stderr=False).invoke(
        main, ["compute", "party", "run", "--home", "h", "--org", "1", "--port", "9", *args]
    )
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert says in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
