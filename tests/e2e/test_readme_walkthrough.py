"""The README's walkthrough, run exactly as written, as a newcomer runs it.

The ```bash block under "## Walkthrough" in README.md is read from the README itself (so the
two cannot drift apart) and run line by line by bash, from a folder outside the checkout,
against the three local chains by their network names. Lines that must run in the checkout
say so with ``cd "$TRUSTSPACE_CHECKOUT" && …``. A line ending in ``# exit N`` must exit
with N, every other line with 0. Shell variables set by one line are seen by the next.

The chains run on their default ports (8545-8547), as the README says: the test fails
with a clear reason if another process holds them.
"""

import os
import re
import shlex
import socket
import subprocess
from pathlib import Path

import pytest

from trustspace.networks import DEFAULT_CHAINS
from trustspace.paths import project_root

pytestmark = pytest.mark.anvil
ROOT = project_root()
EXPECTED_EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")


def walkthrough_lines(readme: Path) -> list[str]:
    """The commands of the README's walkthrough block, continuation lines joined."""
    text = readme.read_text()
    section = text.split("\n## Walkthrough", 1)[1]
    block = section.split("```bash\n", 1)[1].split("\n```", 1)[0]
    lines: list[str] = []
    pending = ""
    for raw in block.splitlines():
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = (pending + raw).strip()
        pending = ""
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _run_line(
    line: str, cwd: Path, env: dict[str, str], state: Path
) -> subprocess.CompletedProcess:
    # Each line in a fresh bash that first loads the variables the earlier lines set.
    script = f"set -a; source {shlex.quote(str(state))}; {line}\nrc=$?; declare -px > {shlex.quote(str(state))}.new; exit $rc"
    run = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    new = Path(f"{state}.new")
    if new.exists():
        # declare -px also lists read-only bash variables, which cannot be sourced back.
        keep = [v for v in new.read_text().splitlines() if not v.startswith("declare -r")]
        state.write_text("\n".join(keep) + "\n")
        new.unlink()
    return run


def test_readme_walkthrough__every_line_as_written__from_outside_the_checkout(tmp_path):
    taken = [spec.port for spec in DEFAULT_CHAINS if _port_taken(spec.port)]
    assert not taken, f"ports {taken} are taken: the walkthrough runs the chains on 8545-8547"
    lines = walkthrough_lines(ROOT / "README.md")
    assert any(line.startswith("trustspace chains up") for line in lines)
    work = tmp_path / "agency"
    work.mkdir()
    venv_bin = str(ROOT / ".venv" / "bin")
    env = {
        **os.environ,
        "PATH": os.pathsep.join(
            [venv_bin, str(ROOT / "node_modules" / ".bin"), os.environ["PATH"]]
        ),
        "TRUSTSPACE_CHECKOUT": str(ROOT),
        # Records and chain state of this walk only; the README says how to set both.
        "TRUSTSPACE_DEPLOYMENTS": str(work / "deployments"),
        "TRUSTSPACE_HOME": str(work / ".trustspace"),
        "COLUMNS": "200",
    }
    env.pop("VIRTUAL_ENV", None)
    state = tmp_path / "vars.sh"
    state.write_text("")
    try:
        for line in lines:
            match = EXPECTED_EXIT.search(line)
            expected = int(match.group(1)) if match else 0
            run = _run_line(line, work, env, state)
            shown = f"$ {line}\n--- stdout\n{run.stdout[-3000:]}\n--- stderr\n{run.stderr[-3000:]}"
            assert run.returncode == expected, shown
            assert "Traceback" not in run.stdout + run.stderr, shown
    finally:
        subprocess.run(
            [f"{venv_bin}/trustspace", "chains", "down"], cwd=work, env=env, capture_output=True,
            timeout=60,
        )  # fmt: skip
