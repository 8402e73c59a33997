"""One command for every benchmark: ``make bench`` (``python -m bench.run``).

Runs each section in its own Python process (a failing or memory-hungry
section cannot take the others down), collects their figures into
``bench/results.json`` from scratch, then renders ``docs/performance.md`` from
that file (bench/render.py).

    python -m bench.run                  # everything, full sizes (several minutes)
    python -m bench.run --quick          # reduced sizes, no test suite: for development
    python -m bench.run --only gas,did   # some sections; --merge keeps the others' figures
    BENCH_SKIP_TESTS=1 python -m bench.run   # skip the (long) test-suite timing
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench import render
from bench.floor import (
    CALLDATA_NONZERO,
    CALLDATA_ZERO,
    LOG_BASE,
    LOG_DATA_BYTE,
    LOG_TOPIC,
    NEW_SLOT,
    TX_BASE,
    UPDATED_SLOT,
)
from bench.results import RESULTS, ROOT, git_commit, machine, now_utc, read, write

#: Section name → module with ``run(quick) -> list[Figure]``, in running order.
SECTIONS: dict[str, str] = {
    "gas": "bench.gas_suite",
    "did_resolution": "bench.did_resolution",
    "bus_gas": "bench.bus_suite",
    "relay": "bench.relay_rate",
    "latency": "bench.latency",
    "hub": "bench.hub_propagation",
    "notarize": "bench.notarize_speed",
    "merkle": "bench.merkle_speed",
    "hashing": "bench.hash_speed",
    "tx_rate": "bench.tx_rate",
    "test_suite": "bench.suite_time",
    "compute": "bench.compute",
    "credentials": "bench.credentials",
    "dataspace": "bench.dataspace",
    "index": "bench.index",
}
SECTION_TIMEOUT_S = 3600


def run_section(name: str, quick: bool, out: Path) -> None:
    """In the child process: run one section and write its figures (or its error) to ``out``."""
    try:
        from ape.logging import logger

        logger.set_level("ERROR")
    except ImportError:  # sections without ape still run
        pass
    try:
        module = importlib.import_module(SECTIONS[name])
        figures = [f.to_json() for f in module.run(quick=quick)]
        payload: dict[str, Any] = {"figures": figures, "method": getattr(module, "METHOD", "")}
    except Exception as err:  # reported in results.json, the other sections go on
        payload = {"figures": [], "error": f"{type(err).__name__}: {err}"}
        traceback.print_exc()
    out.write_text(json.dumps(payload, default=str))


def spawn(name: str, quick: bool) -> dict[str, Any]:
    """Run one section in a child process; returns its figures, status and duration."""
    with tempfile.TemporaryDirectory(prefix="trustspace-bench-") as tmp:
        out = Path(tmp) / "section.json"
        command = [sys.executable, "-m", "bench.run", "--section", name, "--section-out", str(out)]
        if quick:
            command.append("--quick")
        # Other work on the machine skews timings: the load next to each section says so.
        load = round(os.getloadavg()[0], 2)
        t0 = time.perf_counter()
        try:
            done = subprocess.run(command, cwd=ROOT, timeout=SECTION_TIMEOUT_S)
            code: int | str = done.returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
        seconds = round(time.perf_counter() - t0, 1)
        payload = json.loads(out.read_text()) if out.exists() else {"figures": []}
    error = payload.get("error") or (None if code == 0 else f"section exited with {code}")
    return {
        "module": SECTIONS[name].replace(".", "/") + ".py",
        "method": payload.get("method", ""),
        "figures": payload["figures"],
        "status": "error" if error else "ok",
        "error": error,
        "seconds": seconds,
        "load_avg_1min_at_start": load,
        "load_avg_1min_at_end": round(os.getloadavg()[0], 2),
    }


def floor_prices() -> dict[str, int]:
    return {
        "transaction": TX_BASE,
        "calldata_zero_byte": CALLDATA_ZERO,
        "calldata_nonzero_byte": CALLDATA_NONZERO,
        "new_slot_cold_zero_to_nonzero": NEW_SLOT,
        "changed_slot_cold_nonzero_to_nonzero": UPDATED_SLOT,
        "log": LOG_BASE,
        "log_topic": LOG_TOPIC,
        "log_data_byte": LOG_DATA_BYTE,
    }


def summary(figures: list[dict[str, Any]]) -> dict[str, Any]:
    targeted = [f for f in figures if f["pass"] is not None]
    return {
        "figures": len(figures),
        "with_target": len(targeted),
        "passed": sum(1 for f in targeted if f["pass"]),
        "missed": [f["id"] for f in targeted if not f["pass"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes, no test suite")
    parser.add_argument(
        "--only", default="", help="comma-separated sections: " + ",".join(SECTIONS)
    )
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--merge", action="store_true", help="keep other sections' figures")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-render", action="store_true")
    parser.add_argument("--section", help=argparse.SUPPRESS)
    parser.add_argument("--section-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.section:
        run_section(args.section, args.quick, args.section_out)
        return

    chosen = [s for s in (args.only.split(",") if args.only else SECTIONS) if s]
    unknown = set(chosen) - set(SECTIONS) | set(filter(None, args.skip.split(","))) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; known: {', '.join(SECTIONS)}")
    chosen = [s for s in chosen if s not in args.skip.split(",")]

    previous: dict[str, Any] = read(args.out) if args.merge and args.out.exists() else {}
    sections: dict[str, Any] = dict(previous.get("sections", {}))
    by_section: dict[str, list[dict[str, Any]]] = {
        name: [f for f in previous.get("figures", []) if f.get("section") == name]
        for name in sections
    }
    report: dict[str, Any] = {
        "generated_at": now_utc(),
        "git_commit": git_commit(),
        # A merged run says which runs its figures come from.
        "command": "; then ".join(
            filter(
                None, [previous.get("command"), " ".join(["python -m bench.run", *sys.argv[1:]])]
            )
        ),
        "quick": args.quick,
        "machine": machine(),
    }
    for name in chosen:
        print(f"== {name}", flush=True)
        result = spawn(name, args.quick)
        for f in result["figures"]:
            f["section"] = name
        by_section[name] = result.pop("figures")
        sections[name] = {**result, "quick": args.quick}
        print(f"   {result['status']} in {result['seconds']} s"
              + (f": {result['error']}" if result["error"] else ""), flush=True)  # fmt: skip
    order = [s for s in SECTIONS if s in by_section] + [s for s in by_section if s not in SECTIONS]
    figures = [f for name in order for f in by_section[name]]
    report.update(
        quick=any(sections[name].get("quick") for name in order),
        sections={name: sections[name] for name in order},
        summary=summary(figures),
        floor_prices=floor_prices(),
        figures=figures,
    )
    write(args.out, report)
    print(f"wrote {args.out.relative_to(ROOT)}: {json.dumps(report['summary'])}")
    if not args.no_render:
        render.main([str(args.out)])


if __name__ == "__main__":
    main()
