"""The shape of ``bench/results.json``: figures with their targets, plus machine and run facts."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"

#: How a measured value is compared with its target.
AT_MOST, AT_LEAST = "<=", ">="


@dataclass
class Figure:
    """One measured figure, its target (if any) and whether it meets it.

    ``group`` orders the tables of docs/performance.md; ``reference`` names the
    public contract the target was set against; ``floor`` / ``ratio`` are the
    EVM-schedule floor of a gas figure (bench/floor.py); ``note`` says why a
    target is missed, or what the figure means.
    """

    id: str
    group: str
    name: str
    measured: float | int | None
    unit: str
    target: float | int | None = None
    comparison: str = AT_MOST
    reference: str | None = None
    floor: int | None = None
    ratio: float | None = None
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        """True/False against the target; None without a target or a measurement."""
        if self.target is None or self.measured is None:
            return None
        if self.comparison == AT_MOST:
            return self.measured <= self.target
        return self.measured >= self.target

    def to_json(self) -> dict[str, Any]:
        row = asdict(self)
        row["pass"] = self.passed
        return row


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(path: Path, report: dict[str, Any]) -> None:
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


def read(path: Path = RESULTS) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data
