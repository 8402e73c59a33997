"""File hashing throughput: ``crypto.hashing.hash_file`` against ``sha256sum``, same files.

Run alone: ``python -m bench.hash_speed [--quick]``. Generates about 200 MB of
random files in four size classes in a temporary folder (deleted afterwards),
reads them once so both tools start from the page cache, then times each tool
over each class (best of three) and checks that the digests agree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.results import Figure
from trustspace.crypto.hashing import hash_file

#: (label, file size, number of files): 20 + 50 + 64 + 64 MiB.
CLASSES = (
    ("4 KiB", 4 << 10, 5_000),
    ("64 KiB", 64 << 10, 800),
    ("1 MiB", 1 << 20, 64),
    ("16 MiB", 16 << 20, 4),
)
REPEATS = 3
ARGS_PER_CALL = 2_000  # keeps sha256sum's command line well under ARG_MAX


#: One line for the method table of docs/performance.md.
METHOD = (
    "about 200 MB in four size classes (4 KiB to 16 MiB), page cache warm; hash_file and "
    "sha256sum over the same files in the same run, best of three, digests compared"
)


def _generate(folder: Path, size: int, count: int) -> list[Path]:
    folder.mkdir()
    files = []
    block = os.urandom(size)
    for i in range(count):
        path = folder / f"f{i:05d}"
        # Distinct contents without paying urandom per file: a counter prefix.
        path.write_bytes(i.to_bytes(8, "big") + block[8:])
        files.append(path)
    return files


def _time_python(files: list[Path]) -> tuple[float, list[str]]:
    t0 = time.perf_counter()
    digests = [hash_file(f).hex() for f in files]
    return time.perf_counter() - t0, digests


def _time_sha256sum(files: list[Path], exe: str) -> tuple[float, list[str]]:
    digests: list[str] = []
    t0 = time.perf_counter()
    for start in range(0, len(files), ARGS_PER_CALL):
        chunk = [str(f) for f in files[start : start + ARGS_PER_CALL]]
        out = subprocess.run([exe, *chunk], capture_output=True, text=True, check=True).stdout
        digests += [line.split()[0] for line in out.splitlines()]
    return time.perf_counter() - t0, digests


def measure(scale: float = 1.0) -> dict[str, Any]:
    """Throughput in MB/s (10^6 bytes) of both tools per size class and over all files."""
    exe = shutil.which("sha256sum")
    if exe is None:
        raise RuntimeError("sha256sum not found on PATH")
    rows = []
    total_bytes = 0
    total_py = total_sum = 0.0
    with tempfile.TemporaryDirectory(prefix="trustspace-hash-") as tmp:
        for label, size, count in CLASSES:
            n = max(2, int(count * scale))
            files = _generate(Path(tmp) / label.replace(" ", ""), size, n)
            for f in files:  # into the page cache, for both tools alike
                f.read_bytes()
            py_best = sum_best = float("inf")
            for _ in range(REPEATS):
                t_py, d_py = _time_python(files)
                t_sum, d_sum = _time_sha256sum(files, exe)
                if d_py != d_sum:
                    raise AssertionError(f"{label}: digests differ from sha256sum")
                py_best, sum_best = min(py_best, t_py), min(sum_best, t_sum)
            nbytes = size * n
            total_bytes += nbytes
            total_py += py_best
            total_sum += sum_best
            rows.append(
                {
                    "class": label,
                    "files": n,
                    "mb": round(nbytes / 1e6, 1),
                    "trustspace_mb_s": round(nbytes / 1e6 / py_best, 1),
                    "sha256sum_mb_s": round(nbytes / 1e6 / sum_best, 1),
                    "ratio": round(sum_best / py_best, 2),
                }
            )
    return {
        "total_mb": round(total_bytes / 1e6, 1),
        "trustspace_mb_s": round(total_bytes / 1e6 / total_py, 1),
        "sha256sum_mb_s": round(total_bytes / 1e6 / total_sum, 1),
        "ratio": round(total_sum / total_py, 2),
        "classes": rows,
        "sha256sum": subprocess.run(
            [exe, "--version"], capture_output=True, text=True
        ).stdout.splitlines()[0],
    }


def run(quick: bool = False) -> list[Figure]:
    result = measure(0.1 if quick else 1.0)
    per_class = "; ".join(
        f"{r['class']}: {r['trustspace_mb_s']} vs {r['sha256sum_mb_s']} MB/s (×{r['ratio']})"
        for r in result["classes"]
    )
    return [
        Figure(
            id="python.hash_files_mb_s",
            group="Python tooling",
            name=f"Hashing files, {result['total_mb']} MB (trustspace, MB/s)",
            measured=result["trustspace_mb_s"],
            unit="MB/s",
            note=f"sha256sum over the same files: {result['sha256sum_mb_s']} MB/s. {per_class}",
            details=result,
        ),
        Figure(
            id="python.hash_files_ratio",
            group="Python tooling",
            name="Hashing files: trustspace / sha256sum throughput",
            measured=result["ratio"],
            unit="×",
            note=(
                "above 1 = faster than coreutils sha256sum on the same files in the same run "
                "(page cache warm). hashlib's SHA-256 is OpenSSL's, which uses the CPU's SHA "
                "extensions; this sha256sum is coreutils' portable C (not linked to libcrypto)"
            ),
            details={},
        ),
    ]


if __name__ == "__main__":
    import json

    print(json.dumps(measure(0.1 if "--quick" in sys.argv else 1.0), indent=2))
