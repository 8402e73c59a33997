"""Cross-chain latency: a message dispatched on one chain, delivered on two others.

Run with ``PYTHONPATH=. .venv/bin/python -m bench.latency`` after ``ape compile``; writes
bench/latency.json (``make bench`` runs it as its ``latency`` section). Three anvil
chains on free ports (hub, customs, tax), the suite deployed and wired as the tests
do (tests/utils/bus_local.py), five validator processes signing the hub's checkpoints
and one relayer process, started as ``trustspace validator run`` / ``trustspace relay
run`` with the commands' default options (trustspace/devnet/daemons.py). The issue's
case: one hub decision fanned out to two domain chains.

Each round sends two dispatch transactions on the hub (one to a recipient on customs,
one on tax), then waits until the relayer has delivered both; rounds start at a random
phase (0.3-0.8 s after the previous delivery) so that no poll interval lines up with
them. A warm-up round (first checkpoint, first flag words) is left out. Per message:

- ``mined``: both dispatch receipts seen by the bench;
- ``signed``: each validator's signature file of a checkpoint covering it (its
  ``signed_at``); ``quorum`` is the third (the threshold of 3 of 5);
- ``scanned``: the relayer recorded the Dispatched event (its SQLite ``seen_at``);
- ``usable``: the relayer found a checkpoint covering it with enough signatures for
  that destination (its log);
- ``delivered``: the relayer saw the receipt of the transaction that delivered it
  (SQLite ``done_at``), checked on chain by the bench.

End to end is from the first dispatch transaction sent to the later of the two
deliveries. Times are wall-clock (``time.time``) of processes on one machine.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from hexbytes import HexBytes

from bench.results import AT_MOST, Figure
from tests.utils.bus_local import (
    RELAYER_INDEX,
    SENDER_INDEX,
    THRESHOLD,
    ChainDeployment,
    LocalBus,
    mnemonic_key,
    spawn_relayer,
    spawn_validator,
    stop,
    write_config,
)
from tests.utils.contracts import test_contract
from trustspace.bus.config import RELAYER_FAST_POLL, RELAYER_POLL, VALIDATOR_POLL
from trustspace.bus.message import Message
from trustspace.bus.web3tx import TxSender
from trustspace.devnet.chains import local_chains

OUT = Path(__file__).with_name("latency.json")
ROUNDS = 30
#: The issue's target: a hub decision effective on two domain chains, median.
TARGET_P50_S = 2.0
ORIGIN, DESTINATIONS = "hub", ("customs", "tax")

#: One line for the method table of docs/performance.md.
METHOD = (
    "three anvil chains, 5 validator processes (hub) and 1 relayer process with the commands' "
    "default options; 30 rounds of one hub transaction pair dispatching to customs and tax, "
    "end to end from the first dispatch sent to the later delivery receipt; stages from the "
    "signature files, the relayer's SQLite and its log"
)

_LOG_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) trustspace\.relayer INFO "
    r"checkpoint usable origin=(\d+) index=(\d+) destination=(\d+)"
)


def _log_time(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def _usable_times(log: Path) -> list[tuple[float, int, int, int]]:
    """(time, origin, index, destination) of each 'checkpoint usable' line of the relayer."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        match = _LOG_LINE.match(line)
        if match:
            found.append((_log_time(match[1]), int(match[2]), int(match[3]), int(match[4])))
    return found


def _signed_times(folder: Path, origin: int, nonce: int) -> list[float]:
    """Per validator: when it first published a checkpoint covering ``nonce``."""
    times = []
    for signer in folder.iterdir():
        best = None
        for entry in (signer / str(origin)).glob("*.json"):
            if int(entry.name[:10]) >= nonce:
                signed_at = float(json.loads(entry.read_text())["signed_at"])
                best = signed_at if best is None else min(best, signed_at)
        if best is not None:
            times.append(best)
    return sorted(times)


class Round:
    """One hub transaction pair and what the bench saw of it."""

    def __init__(self, hub: ChainDeployment, sender: TxSender, deps: dict[str, ChainDeployment]):
        self.hub, self.sender, self.deps = hub, sender, deps

    def run(self, tag: bytes) -> tuple[float, float, list[Message]]:
        """Send both dispatches (signed beforehand); return (sent, mined, messages)."""
        nonce = self.hub.w3.eth.get_transaction_count(self.sender.address, "pending")
        prepared = []
        for offset, name in enumerate(DESTINATIONS):
            dest = self.deps[name]
            call = self.hub.bus.functions.dispatch(dest.chain_id, dest.extra["noop"].address, tag)
            prepared.append(self.sender.prepare(call, gas=200_000, nonce=nonce + offset))
        sent = time.time()
        for p in prepared:
            self.hub.w3.eth.send_raw_transaction(p.raw)
        messages = []
        for p in prepared:
            receipt = self.hub.w3.eth.wait_for_transaction_receipt(
                HexBytes(p.tx_hash), poll_latency=0.01
            )
            (event,) = self.hub.bus.events.Dispatched().process_receipt(receipt)
            messages.append(Message.decode(bytes(event["args"]["message"])))
        return sent, time.time(), messages


def _done(db: sqlite3.Connection, origin: int, nonces: list[int]) -> list[float] | None:
    rows = db.execute(
        "SELECT nonce, state, done_at FROM messages WHERE origin = ? AND nonce IN (?, ?)",
        (origin, *nonces),
    ).fetchall()
    if len(rows) < len(nonces) or any(state != "delivered" for _, state, _ in rows):
        return None
    return [float(done) for _, _, done in sorted(rows)]


def _seen(db: sqlite3.Connection, origin: int, nonce: int) -> float:
    row = db.execute(
        "SELECT seen_at FROM messages WHERE origin = ? AND nonce = ?", (origin, nonce)
    ).fetchone()
    return float(row[0])


def _wait_delivered(
    db: sqlite3.Connection, origin: int, nonces: list[int], timeout: float = 60.0
) -> list[float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done = _done(db, origin, nonces)
        except sqlite3.OperationalError:  # the relayer holds the write lock for a moment
            done = None
        if done is not None:
            return done
        time.sleep(0.01)
    raise TimeoutError(f"messages {nonces} of {origin} not delivered within {timeout} s")


def pct(values: list[float], p: float) -> float:
    """The nearest-rank percentile ``p`` (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered) + 0.5) - 1))]


def measure(rounds: int = ROUNDS) -> dict[str, Any]:
    """Run the rounds (see the module docstring); the figures and every round's stages."""
    rng = random.Random(14)
    with tempfile.TemporaryDirectory(prefix="latency-") as tmp, local_chains() as chains:
        folder = Path(tmp)
        env = LocalBus(chains, folder / "deployments")
        deps = env.deploy()
        hub = deps[ORIGIN]
        env.allow_sender(ORIGIN, mnemonic_key(SENDER_INDEX).address)
        for name in DESTINATIONS:
            deps[name].extra["noop"] = env.sender(name).deploy(test_contract("NoopRecipient"))
        config = write_config(deps, folder)
        validators = [spawn_validator(config, ORIGIN, key) for key in env.validators]
        relayer = spawn_relayer(config, mnemonic_key(RELAYER_INDEX), "-v")
        sender = TxSender(hub.w3, mnemonic_key(SENDER_INDEX))
        results = []
        try:
            while not (folder / "relay.sqlite").exists():
                time.sleep(0.05)
            db = sqlite3.connect(f"file:{folder / 'relay.sqlite'}?mode=ro", uri=True, timeout=5)
            round_ = Round(hub, sender, deps)
            for i in range(rounds + 1):
                sent, mined, messages = round_.run(b"decision %d" % i)
                nonces = [m.nonce for m in messages]
                delivered = _wait_delivered(db, hub.chain_id, nonces)
                for m in messages:
                    dest = next(d for d in deps.values() if d.chain_id == m.destination)
                    assert dest.bus.functions.processed(m.origin, m.nonce).call()
                if i > 0:  # round 0 warms up: first checkpoint, first flag words
                    results.append((sent, mined, messages, delivered))
                time.sleep(rng.uniform(0.3, 0.8))
        finally:
            stop(relayer)
            for process in validators:
                stop(process)
        usable = _usable_times(folder / "relayer.log")
        rows = []
        for sent, mined, messages, delivered in results:
            stages: dict[str, Any] = {"mined": mined - sent}
            signed = _signed_times(folder / "signatures", hub.chain_id, messages[-1].nonce)
            stages["first_signed"] = signed[0] - sent
            stages["quorum_signed"] = signed[THRESHOLD - 1] - sent
            stages["scanned"] = max(_seen(db, hub.chain_id, m.nonce) for m in messages) - sent
            per_dest = {}
            for m, done in zip(messages, delivered, strict=True):
                ready = min(
                    t for t, o, index, d in usable
                    if o == m.origin and d == m.destination and index >= m.nonce and t >= sent
                )  # fmt: skip
                per_dest[str(m.destination)] = {"usable": ready - sent, "delivered": done - sent}
            stages["destinations"] = per_dest
            stages["end_to_end"] = max(delivered) - sent
            rows.append(stages)
        db.close()

    def median(key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 3)

    def median_dest(key: str) -> float:
        return round(statistics.median(v[key] for r in rows for v in r["destinations"].values()), 3)

    ends = [r["end_to_end"] for r in rows]
    return {
        "setup": "anvil x3 on one 2-core machine; hub → customs + tax; 5 validator processes "
        f"(poll {VALIDATOR_POLL} s), 1 relayer (poll {RELAYER_POLL} s, fast poll "
        f"{RELAYER_FAST_POLL} s); confirmations 0",
        "rounds": len(rows),
        "end_to_end_p50_s": round(statistics.median(ends), 3),
        "end_to_end_p99_s": round(pct(ends, 0.99), 3),
        "end_to_end_max_s": round(max(ends), 3),
        "stages_p50_s": {
            "dispatch mined": median("mined"),
            "first validator signed": median("first_signed"),
            f"{THRESHOLD} validators signed (quorum)": median("quorum_signed"),
            "relayer scanned the dispatch": median("scanned"),
            "relayer found a usable checkpoint (per destination)": median_dest("usable"),
            "delivery receipt (per destination)": median_dest("delivered"),
            "both destinations delivered": median("end_to_end"),
        },
        "rows": [{k: v for k, v in r.items()} for r in rows],
    }


def run(quick: bool = False) -> list[Figure]:
    r = measure(10 if quick else ROUNDS)
    if not quick:  # keeps bench/latency.json in step with results.json
        OUT.write_text(json.dumps(r, indent=2) + "\n")
    group = "Cross-chain latency (local anvil)"
    stages = "; ".join(f"{k} {v} s" for k, v in r["stages_p50_s"].items())
    return [
        Figure(
            "latency.end_to_end_p50_s", group,
            "Hub dispatch → delivered on customs and tax, median", r["end_to_end_p50_s"], "s",
            target=TARGET_P50_S, comparison=AT_MOST, reference="issue 14",
            note=f"{r['rounds']} rounds; medians from the first dispatch sent: {stages}",
            details=r,
        ),
        Figure(
            "latency.end_to_end_p99_s", group,
            "Hub dispatch → delivered on customs and tax, p99", r["end_to_end_p99_s"], "s",
            note=f"largest of {r['rounds']}: {r['end_to_end_max_s']} s",
        ),
    ]  # fmt: skip


def main() -> None:
    report = measure()
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "rows"}, indent=2))


if __name__ == "__main__":
    main()
