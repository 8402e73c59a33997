"""Benchmark: the event indexer's speed on anvil, and its lookups over 1,000,000 attestations.

Run: ``python -m bench.index [--quick] [--json OUT]``.

* **Indexing rate**: a Notary on a local anvil receives 3,000 attestations (1,000 with
  ``--quick``) 200 to a block (automine off, ``evm_mine``: tests/utils/index_chain.py); the
  follower then catches up from block 0 into a fresh SQLite file (and a fresh PostgreSQL
  database): events indexed per second, RPC calls and checks included.
* **Lookups**: 1,000,000 attestations (100,000 with ``--quick``) written through the store's
  own write path (:meth:`Store.commit_step`, 10,000 logs per step, 100 per block) as decoded
  ``Attested`` logs of five organisations, plus ``Derived`` chains (one parent each, chains of
  11 records over the first 10 % of the records) and 10,000 bus messages (``Dispatched`` +
  ``Delivered``). Then 500 random lookups of each kind: a record by id, the first page (50)
  of an organisation's records, a lineage of depth 10, a message's status. p50 / p99 in ms;
  target p99 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import AT_LEAST, AT_MOST, Figure
from trustspace.index import source
from trustspace.index.store import BlockRow, LogRow, Store, open_store

#: Lookup latency target (issue 18).
TARGET_P99_MS = 50.0
RECORDS = 1_000_000
QUICK_RECORDS = 100_000
ATTESTATIONS = 3_000
QUICK_ATTESTATIONS = 1_000
LOOKUPS = 500
CHAIN_ID = 31_499
NOTARY = "0x" + "5a" * 20
BUS = "0x" + "b5" * 20

METHOD = (
    "follower from block 0 over a Notary's attestations on anvil (events/s); lookups over "
    "1,000,000 attestations written through the store (p50/p99 ms)"
)


def _hex32(n: int) -> str:
    return "0x" + n.to_bytes(32, "big").hex()


def _record_id(i: int) -> str:
    return "0x" + (i * 2_654_435_761 % 2**256).to_bytes(32, "big").hex()


def _rows(records: int) -> Iterator[LogRow]:
    """Attested (+ Derived, Dispatched/Delivered) logs in chain order, 100 per block."""
    attested, derived = source.topic("Attested"), source.topic("Derived")
    dispatched, delivered = source.topic("Dispatched"), source.topic("Delivered")
    lineage_span = records // 10
    messages = 10_000
    n = 0
    for i in range(records):
        block, index = divmod(n, 100)
        org = i % 5 + 1
        rid = _record_id(i)
        digest = _hex32(i + 1)
        args = {"id": rid, "digest": digest, "orgId": org, "attester": "0x" + f"{org:040x}",
                "schemaId": i % 7 + 1, "expiresAt": 0}  # fmt: skip
        yield LogRow(CHAIN_ID, block, index, _hex32(block), _hex32(10**9 + i), index, NOTARY,
                     (attested, rid, digest, _hex32(org)),
                     "0x" + "00" * 96, "Attested", args)  # fmt: skip
        n += 1
        if i < lineage_span and i % 11:
            block, index = divmod(n, 100)
            parent = _record_id(i - 1)
            yield LogRow(CHAIN_ID, block, index, _hex32(block), _hex32(10**9 + i), index, NOTARY,
                         (derived, parent, rid), "0x", "Derived",
                         {"parent": parent, "child": rid})  # fmt: skip
            n += 1
        if i < messages:
            for topic0, name in ((dispatched, "Dispatched"), (delivered, "Delivered")):
                block, index = divmod(n, 100)
                mid = _hex32(7**20 + i)
                tx = _hex32(10**10 + i)
                yield LogRow(CHAIN_ID, block, index, _hex32(block), tx, index, BUS,
                             (topic0, mid, _hex32(31338)), "0x", name, {"id": mid})  # fmt: skip
                n += 1


def fill(store: Store, records: int) -> dict[str, float]:
    """Write the synthetic logs through :meth:`Store.commit_step`; seconds and rows."""
    store.add_chain(CHAIN_ID, "bench", 0, _hex32(0))
    t0 = time.perf_counter()
    batch: list[LogRow] = []
    cursor = 0
    total = 0

    def flush() -> None:
        nonlocal cursor, total
        end = batch[-1].block_number
        store.commit_step(CHAIN_ID, cursor, end + 1, [BlockRow(end, _hex32(end), None, True)],
                          batch)  # fmt: skip
        cursor = end + 1
        total += len(batch)
        batch.clear()

    last_block = -1
    for row in _rows(records):
        if len(batch) >= 10_000 and row.block_number != last_block:
            flush()
        batch.append(row)
        last_block = row.block_number
    if batch:
        flush()
    return {"rows": total, "fill_s": round(time.perf_counter() - t0, 1)}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    }


def lookups(store: Store, records: int) -> dict[str, dict[str, float]]:
    """p50/p99 of each lookup kind over ``LOOKUPS`` random keys."""
    row = store.chain(CHAIN_ID)
    assert row is not None
    index = source.IndexedChain(store, row)
    rng = random.Random(18)
    lineage_leaves = [i for i in range(records // 10) if i % 11 == 10]
    kinds: dict[str, tuple[Callable[[int], Any], Callable[[], int]]] = {
        "record_by_id": (
            lambda i: source.record_events(index, _record_id(i)),
            lambda: rng.randrange(records),
        ),
        "records_of_organisation": (
            lambda org: source.records_of_organisation(index, org, limit=50),
            lambda: rng.randrange(1, 6),
        ),
        "lineage_depth_10": (
            lambda i: source.lineage(index, _record_id(i), depth=10),
            lambda: rng.choice(lineage_leaves),
        ),
        "message_status": (
            lambda i: source.message_events(index, _hex32(7**20 + i)),
            lambda: rng.randrange(10_000),
        ),
    }
    checks = {
        "record_by_id": lambda out: len(out) == 1,
        "records_of_organisation": lambda out: len(out) == 50,
        "lineage_depth_10": lambda out: len(out) == 10,
        "message_status": lambda out: [r.event for r in out] == ["Dispatched", "Delivered"],
    }
    results = {}
    for name, (lookup, key) in kinds.items():
        samples = []
        for _ in range(LOOKUPS):
            k = key()
            t0 = time.perf_counter()
            out = lookup(k)
            samples.append(time.perf_counter() - t0)
            assert checks[name](out), (name, k, out)
        results[name] = _percentiles(samples)
    return results


def indexing_rate(store_targets: dict[str, str], attestations: int) -> dict[str, Any]:
    """Events per second of a follower catching up with a Notary's traffic on anvil."""
    from tests.utils.index_chain import attest_many, deploy_notary
    from trustspace.devnet.chains import free_port, start_chain, stop_pid
    from trustspace.index.follower import ChainSource, Follower
    from trustspace.networks import ChainSpec

    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        os.environ.setdefault("TRUSTSPACE_HOME", tmp)
        chain = start_chain(ChainSpec("bench-index", 31_498, free_port()), record=False)
        try:
            suite = deploy_notary(chain.url, Path(tmp) / "deployments")
            t0 = time.perf_counter()
            attest_many(suite, attestations, per_block=200, tag="bench")
            send_s = time.perf_counter() - t0
            out: dict[str, Any] = {"attestations": attestations, "send_s": round(send_s, 1)}
            for kind, target in store_targets.items():
                store = open_store(target)
                follower = Follower(store, ChainSource("bench", suite.w3))
                t0 = time.perf_counter()
                logs = 0
                while True:
                    step = follower.step()
                    logs += step.logs
                    if step.caught_up:
                        break
                elapsed = time.perf_counter() - t0
                out[kind] = {"events": logs, "s": round(elapsed, 2),
                             "events_per_s": round(logs / elapsed)}  # fmt: skip
                store.close()
            return out
        finally:
            stop_pid(chain.pid)


@contextmanager
def _postgres_databases(names: list[str]) -> Iterator[dict[str, str]]:
    import psycopg

    from tests.utils.postgres import running_postgres

    with running_postgres() as url:
        with psycopg.connect(url, autocommit=True) as admin:
            for name in names:
                admin.execute(f"CREATE DATABASE {name}")
        yield {name: url.rsplit("/", 1)[0] + f"/{name}" for name in names}


def measure(quick: bool, postgres: bool = True) -> dict[str, Any]:
    """Every figure of this section, on SQLite and (``postgres``) PostgreSQL."""
    records = QUICK_RECORDS if quick else RECORDS
    attestations = QUICK_ATTESTATIONS if quick else ATTESTATIONS
    out: dict[str, Any] = {"records": records}
    with tempfile.TemporaryDirectory(prefix="bench-index-db-") as tmp:
        targets = {"sqlite": str(Path(tmp) / "rate.sqlite")}
        lookup_targets = {"sqlite": str(Path(tmp) / "lookups.sqlite")}
        with _postgres_or_none(postgres) as pg:
            if pg:
                targets["postgresql"] = pg["rate"]
                lookup_targets["postgresql"] = pg["lookups"]
            out["rate"] = indexing_rate(targets, attestations)
            for kind, target in lookup_targets.items():
                store = open_store(target)
                filled = fill(store, records)
                out[kind] = {**filled, **lookups(store, records)}
                store.close()
    return out


@contextmanager
def _postgres_or_none(wanted: bool) -> Iterator[dict[str, str] | None]:
    if not wanted:
        yield None
        return
    with _postgres_databases(["rate", "lookups"]) as dbs:
        yield dbs


def run(quick: bool = False) -> list[Figure]:
    result = measure(quick)
    records = result["records"]
    figures = []
    for kind, rate in result["rate"].items():
        if not isinstance(rate, dict):
            continue
        figures.append(
            Figure(
                id=f"index.rate_{kind}",
                group="Indexer",
                name=f"Events indexed per second from anvil ({kind})",
                measured=rate["events_per_s"],
                unit="events/s",
                comparison=AT_LEAST,
                note=f"{rate['events']} events of {result['rate']['attestations']} "
                f"attestations, 200 per block, caught up from block 0 in {rate['s']} s",
                details=rate,
            )
        )
    for kind in ("sqlite", "postgresql"):
        if kind not in result:
            continue
        for lookup in ("record_by_id", "records_of_organisation", "lineage_depth_10",
                       "message_status"):  # fmt: skip
            figure = result[kind][lookup]
            figures.append(
                Figure(
                    id=f"index.{lookup}_{kind}_p99",
                    group="Indexer",
                    name=f"{lookup.replace('_', ' ')} p99, {records:,} attestations ({kind})",
                    measured=figure["p99_ms"],
                    unit="ms",
                    target=TARGET_P99_MS if records == RECORDS else None,
                    comparison=AT_MOST,
                    note=f"p50 {figure['p50_ms']} ms; {LOOKUPS} random lookups; "
                    f"{result[kind]['rows']:,} rows written in {result[kind]['fill_s']} s",
                    details=figure,
                )
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args.quick, postgres=not args.no_postgres)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
