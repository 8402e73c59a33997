"""Every user mistake of the bus and DID commands, as a newcomer makes them, from a folder
outside the checkout. Each mistake gets one clear line (what was wrong, what to do), its exit
code, no traceback, and with --json exactly one JSON document on stdout. Every case runs in
this process through the root group (tests/utils/cli_run.py: the same argv, no interpreter
start per case); the real ``trustspace`` executable runs a few of them (a refusal before any
network access, a chain down with --json), so that the installed entry point stays proven.

No chain is needed: a port nobody listens on is a chain that is down, and the rest is
refused before any network access.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.utils.cli_run import invoke
from trustspace.devnet.chains import free_port

TRUSTSPACE = Path(sys.executable).with_name("trustspace")
MESSAGE_ID = "0x" + "ab" * 32
ADDRESS = "0x" + "12" * 20
KEY = "0x" + "4c" * 32


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> Any:
    """The command in this process (see tests/utils/cli_run.py)."""
    return invoke(args, cwd, env)


def _shell(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed ``trustspace`` as a subprocess, as people run it."""
    return subprocess.run(
        [str(TRUSTSPACE), *args], cwd=cwd, env={**os.environ, **env}, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def down() -> str:
    """The URL of a chain that is down (nothing listens on the port)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def where(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder outside the checkout, and an environment whose records folder is empty."""
    records = tmp_path / "records"
    records.mkdir()
    env = {
        "TRUSTSPACE_DEPLOYMENTS": str(records),
        "TRUSTSPACE_HOME": str(tmp_path / "home"),
        "COLUMNS": "300",
    }
    return tmp_path, env


def _bad_config(tmp_path: Path, down: str) -> str:
    path = tmp_path / "bus.json"
    path.write_text(
        json.dumps(
            {
                "chains": {
                    "customs": {"rpc": down, "bus": ADDRESS},
                    "tax": {"rpc": down, "bus": ADDRESS},
                },
                "signatures": "sigs",
            }
        )
    )
    return str(path)


# (arguments, exit code, words of the one error line); {down} and {config} are filled in.
CASES = [
    # bus status
    (["bus", "status", "0x1234"], 2, "an id has 32 bytes"),
    (["bus", "status", "not-hex"], 2, "not an id"),
    (["bus", "status", MESSAGE_ID], 2, "no chains: no deployment record"),
    (
        ["bus", "status", MESSAGE_ID, "--chain", "customs={down}", "--chain", "tax={down}"],
        3,
        "cannot reach customs at",
    ),
    (["bus", "status", MESSAGE_ID, "--chain", "customs=ftp://x"], 2, "after = comes an http"),
    (["bus", "status", MESSAGE_ID, "--chain", "nowhere"], 2, "unknown network 'nowhere'"),
    (["bus", "status", MESSAGE_ID, "--config", "{config}"], 3, "cannot reach customs at"),
    (
        ["bus", "status", MESSAGE_ID, "--config", "{config}", "--chain", "customs"],
        2,
        "give --config or --chain, not both",
    ),
    (["bus", "status", MESSAGE_ID, "--config", "{missing}"], 2, "does not exist"),
    # relay run
    (
        [
            "relay",
            "run",
            "--account",
            "TEST::1",
            "--chain",
            "customs={down}",
            "--chain",
            "tax={down}",
        ],
        3,
        "cannot reach customs at",
    ),
    (
        ["relay", "run", "--account", "TEST::1", "--config", "{config}"],
        3,
        "cannot reach customs at",
    ),
    (["relay", "run", "--account", KEY, "--config", "{config}"], 2, "never a private key"),
    (["relay", "run", "--account", "nobody", "--config", "{config}"], 2, "no ape account 'nobody'"),
    (
        ["relay", "run", "--account", "TEST::99", "--config", "{config}"],
        2,
        "no local test account TEST::99",
    ),
    (["relay", "run", "--account", "TEST::1"], 2, "no chains: no deployment record"),
    # validator run
    (
        ["validator", "run", "--account", "TEST::1", "--chain", "customs={down}"],
        3,
        "cannot reach customs at",
    ),
    (
        [
            "validator",
            "run",
            "--account",
            "TEST::1",
            "--chain",
            "customs",
            "--config",
            "{config}",
            "--once",
        ],
        3,
        "cannot reach the node of customs",
    ),
    (
        ["validator", "run", "--account", "TEST::1", "--chain", "hub", "--config", "{config}"],
        2,
        "unknown chain 'hub'",
    ),
    (["validator", "run", "--account", KEY, "--chain", "customs"], 2, "never a private key"),
    # did resolve
    (["did", "resolve", "did:ethr:0x7a6a:" + ADDRESS], 2, "no chain: no deployment record"),
    (
        [
            "did",
            "resolve",
            "did:ethr:0x7a6a:" + ADDRESS + "?versionId=abc",
            "--chain",
            "{down}=" + ADDRESS,
        ],
        2,
        "versionId must be a block number, got 'abc'",
    ),
    (["did", "resolve", "did:web:example.org", "--network", "customs"], 2, "not a valid did:ethr"),
    (
        ["did", "resolve", "did:ethr:" + ADDRESS, "--chain", "{down}=" + ADDRESS],
        3,
        "cannot reach the node at",
    ),
    (
        ["did", "resolve", "did:ethr:" + ADDRESS, "--chain", "{down}=0x1234"],
        2,
        "registry '0x1234' is not an address",
    ),
    (
        ["did", "resolve", "did:ethr:" + ADDRESS, "--network", "customs={down}"],
        3,
        "cannot reach customs at",
    ),
    (
        ["did", "resolve", "did:ethr:" + ADDRESS, "--chain", "not-a-url=" + ADDRESS],
        2,
        "is not an http(s) node URL",
    ),
    # did writes
    (
        ["did", "change-owner", ADDRESS, ADDRESS, "--account", "TEST::1"],
        2,
        "name the chain to write to",
    ),
    (
        ["did", "change-owner", ADDRESS, ADDRESS, "--account", KEY, "--network", "customs"],
        2,
        "never a private key",
    ),
    (
        [
            "did",
            "change-owner",
            ADDRESS,
            ADDRESS,
            "--account",
            "TEST::1",
            "--network",
            "customs={down}",
        ],
        3,
        "cannot reach customs at",
    ),
]


def _fill(args: list[str], tmp_path: Path, down: str) -> list[str]:
    config = _bad_config(tmp_path, down)
    values = {"down": down, "config": config, "missing": str(tmp_path / "missing.json")}
    return [a.format(**values) for a in args]


def _id(case: tuple[list[str], int, str]) -> str:
    return " ".join(case[0][:2]) + ": " + case[2][:40]


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_bad_input__one_line_exit_code_no_traceback(case, where, down):
    args, code, words = case
    cwd, env = where
    result = _run(_fill(args, cwd, down), cwd, env)
    out = result.stdout + result.stderr
    assert result.returncode == code, out
    assert "Traceback" not in out, out
    assert words in " ".join(result.stderr.split()), out
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, out


# click refuses a --config that does not exist itself, before the command runs.
JSON_CASES = [
    c
    for c in CASES
    if c[0][:2] in (["bus", "status"], ["did", "resolve"]) and "does not exist" not in c[2]
]


@pytest.mark.parametrize("case", JSON_CASES, ids=[_id(c) for c in JSON_CASES])
def test_bad_input__json__one_document_same_exit_code(case, where, down):
    args, code, words = case
    cwd, env = where
    result = _run([*_fill(args, cwd, down), "--json"], cwd, env)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["exit_code"] == code
    assert words in document["error"]


def test_bad_input_from_a_shell__same_line_code_and_one_document(where, down):
    """The installed executable: a refusal before any network access, and a chain down with
    --json."""
    cwd, env = where
    args, code, words = CASES[0]
    result = _shell(args, cwd, env)
    out = result.stdout + result.stderr
    assert result.returncode == code, out
    assert "Traceback" not in out, out
    assert words in " ".join(result.stderr.split()), out
    assert len([line for line in result.stderr.splitlines() if "error" in line.lower()]) == 1
    args, code, words = CASES[3]
    assert words == "cannot reach customs at"
    result = _shell([*_fill(args, cwd, down), "--json"], cwd, env)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["exit_code"] == code
    assert words in document["error"]
