"""Wall time of the whole test suite: ``ape test tests -q -p no:cacheprovider``, once.

Run alone: ``python -m bench.suite_time``. Long (minutes): ``make bench`` skips it
when ``BENCH_SKIP_TESTS=1``. The figure is a report, not a test: nothing asserts on it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.results import Figure

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ["ape", "test", "tests", "-q", "-p", "no:cacheprovider"]
TIMEOUT_S = 3600


#: One line for the method table of docs/performance.md.
METHOD = "`ape test tests -q -p no:cacheprovider`, once (skipped with BENCH_SKIP_TESTS=1)"


def measure() -> dict[str, Any]:
    exe = Path(sys.executable).with_name("ape")
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(exe), *COMMAND[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    elapsed = time.perf_counter() - t0
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    summary = next(
        (ln.strip("= ") for ln in reversed(lines) if re.search(r"\d+ (passed|failed)", ln)), ""
    )
    return {
        "seconds": round(elapsed, 1),
        "exit_code": done.returncode,
        "summary": summary,
        "command": " ".join(COMMAND),
    }


def run(quick: bool = False) -> list[Figure]:
    figure = Figure(
        id="python.test_suite_wall_s",
        group="Python tooling",
        name="Test suite wall time (`" + " ".join(COMMAND) + "`)",
        measured=None,
        unit="s",
    )
    if os.environ.get("BENCH_SKIP_TESTS") == "1" or quick:
        figure.note = "skipped (BENCH_SKIP_TESTS=1 or --quick)"
        return [figure]
    r = measure()
    figure.measured = r["seconds"]
    figure.note = f"exit code {r['exit_code']}: {r['summary']}"
    figure.details = r
    return [figure]


if __name__ == "__main__":
    print(measure())
