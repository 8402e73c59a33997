"""The README's walkthrough block, run as it stands, from a folder outside the checkout.

The block between ``<!-- walkthrough:start -->`` and ``<!-- walkthrough:end -->`` is written
to a script and run by bash with ``set -euo pipefail``, with the checkout's ``.venv/bin``
first on PATH (what ``source .venv/bin/activate`` does). Only the chains' ports move
(``TRUSTSPACE_BASE_PORT``) so that a developer's own chains on 8545-8547 are left alone; every
command reaches them by name (``--network customs``) as a user's would. The test fails if a
command fails, prints a traceback, or leaves ape's log lines on stdout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from trustspace.devnet.chains import port_is_free
from trustspace.paths import project_root

pytestmark = pytest.mark.anvil

START, END = "<!-- walkthrough:start -->", "<!-- walkthrough:end -->"


def walkthrough_block(readme: Path) -> str:
    """The bash code of the README's walkthrough (the one fenced block between the markers)."""
    text = readme.read_text()
    assert text.count(START) == 1 and text.count(END) == 1, "one walkthrough block in README"
    section = text[text.index(START) + len(START) : text.index(END)]
    [code] = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return code


def _three_free_ports() -> int:
    for base in range(18545, 19545, 10):
        if all(port_is_free(base + i) for i in range(3)):
            return base
    raise RuntimeError("no three consecutive free ports between 18545 and 19545")


def test_walkthrough_block__extracted_whole():
    code = walkthrough_block(project_root() / "README.md")
    assert code.lstrip().startswith("mkdir") and code.rstrip().endswith("trustspace chains down")


def test_readme_walkthrough__as_written__every_command_succeeds(tmp_path):
    root = project_root()
    assert not tmp_path.is_relative_to(root)
    script = tmp_path / "walkthrough.sh"
    script.write_text(
        "set -euo pipefail\n"
        "trap 'echo \"walkthrough failed at line $LINENO: $BASH_COMMAND\" >&2' ERR\n"
        + walkthrough_block(root / "README.md")
    )
    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{root / 'node_modules/.bin'}{os.pathsep}"
        + os.environ["PATH"],
        "TRUSTSPACE_HOME": str(tmp_path / "home"),
        "TRUSTSPACE_BASE_PORT": str(_three_free_ports()),
        "COLUMNS": "200",
    }
    env.pop("TRUSTSPACE_DEPLOYMENTS", None)  # the block sets its own
    try:
        run = subprocess.run(
            ["bash", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip
    finally:
        subprocess.run(
            [str(venv_bin / "trustspace"), "chains", "down"], cwd=tmp_path, env=env,
            capture_output=True, timeout=60,
        )  # fmt: skip
    out, err = run.stdout, run.stderr
    assert run.returncode == 0, f"{err[-3000:]}\n--- stdout ---\n{out[-3000:]}"
    assert "Traceback" not in out + err
    assert not [line for line in out.splitlines() if line.startswith(("INFO:", "WARNING:"))]
    expected = [
        "executed #",  # the clerk's account
        "executed #",  # its NOTARY role
        "1 schema(s) in Notary",
        "Notarized 3 document(s)",
        "VALID",
        "NOT VALID",
        "DOCUMENT_REVOKED",
        "exit 1: not valid (revoked), as expected",
        "mirrored",
        "dispatched",
        "signed index",
        "delivered",
        "VALID",  # the mirrored record, on the tax chain
        "VALID disclosure",
        "Customs Authority (#1, CUSTOMS, ACTIVE)",
        "executed #",  # the hub suspends the maritime authority
        "Maritime Authority  maritime  suspended",  # as tax shows it, after one relay run
        "follows chain 31337",
        "refused, organisations are decided on the hub",
        "customs",  # index status: the three chains, caught up
        "\nindex\n",  # trace read the record's events from the index
    ]
    assert "propose it on the hub chain (--network hub)" in err
    position = 0
    for phrase in expected:
        found = out.find(phrase, position)
        assert found >= 0, f"{phrase!r} missing after offset {position}:\n{out[position:][:3000]}"
        position = found + len(phrase)
    walk = tmp_path / "walk"
    assert sorted(p.name for p in (walk / "deployments").glob("*.json")) == [
        "ethereum-customs.json",
        "ethereum-hub.json",
        "ethereum-tax.json",
    ]
    assert oct((walk / "invoice.commitment.json").stat().st_mode & 0o777) == "0o600"
