"""Relayer throughput and dispatch→delivery latency on local anvil chains.

Run with ``PYTHONPATH=. .venv/bin/python bench/relay_rate.py`` after ``ape compile``;
writes bench/relay_rate.json (``make bench`` runs it as its ``relay`` section). Five
validator processes sign customs' checkpoints (confirmations 0), one relayer process
delivers customs → tax in batches of 50.

- backlog: 300 messages dispatched first, then the relayer starts; rate = messages
  / seconds from its start to the last delivery.
- stream: 200 messages dispatched one by one with the relayer running; latency of
  each from its dispatch receipt to the Delivered event seen on tax (p50, p99), watched
  from a thread while the stream is dispatched.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.results import Figure
from tests.utils.bus_local import (
    RELAYER_INDEX,
    SENDER_INDEX,
    ChainDeployment,
    LocalBus,
    mnemonic_key,
    spawn_relayer,
    spawn_validator,
    stop,
    write_config,
)
from tests.utils.contracts import test_contract
from trustspace.bus.config import VALIDATOR_POLL
from trustspace.bus.web3tx import TxSender, connect
from trustspace.devnet.chains import local_chains

OUT = Path(__file__).with_name("relay_rate.json")
BACKLOG = 300
STREAM = 200

#: One line for the method table of docs/performance.md.
METHOD = (
    "two anvil chains, 5 validator processes, 1 relayer process (batch 50); backlog: 300 "
    "messages dispatched, then the relayer starts; stream: 200 messages one by one with the "
    "relayer running, latency from dispatch receipt to the Delivered event seen (watched "
    "during the stream) on the "
    "destination"
)


def _dispatch_all(
    origin: ChainDeployment, dest: ChainDeployment, count: int, tag: bytes
) -> list[float]:
    sender = TxSender(origin.w3, mnemonic_key(SENDER_INDEX))
    recipient = dest.extra["noop"].address
    times = []
    for i in range(count):
        sender.transact(
            origin.bus.functions.dispatch(dest.chain_id, recipient, tag + b"%d" % i), gas=200_000
        )
        times.append(time.monotonic())
    return times


def _own_client(dep: ChainDeployment) -> ChainDeployment:
    """The same chain through a web3 client of its own, for the watcher thread."""
    w3 = connect(dep.url)
    bus = w3.eth.contract(address=dep.bus.address, abi=dep.bus.abi)
    return ChainDeployment(dep.name, dep.chain_id, dep.url, w3, dep.consortium, bus)


def _delivered_times(
    dest: ChainDeployment, origin_id: int, want: int, start_block: int, timeout: float
) -> dict[int, float]:
    seen: dict[int, float] = {}
    block = start_block
    deadline = time.monotonic() + timeout
    while len(seen) < want and time.monotonic() < deadline:
        head = int(dest.w3.eth.block_number)
        if head >= block:
            for event in dest.bus.events.Delivered().get_logs(from_block=block, to_block=head):
                if int(event["args"]["origin"]) == origin_id:
                    seen.setdefault(int(event["args"]["nonce"]), time.monotonic())
            block = head + 1
        time.sleep(0.05)
    return seen


def measure(backlog: int = BACKLOG, stream: int = STREAM) -> dict[str, Any]:
    """Backlog delivery rate and streaming latency (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="relay-rate-") as tmp, local_chains() as chains:
        folder = Path(tmp)
        env = LocalBus([c for c in chains if c.name in ("customs", "tax")])
        deps = env.deploy()
        customs, tax = deps["customs"], deps["tax"]
        env.allow_sender("customs", mnemonic_key(SENDER_INDEX).address)
        tax.extra["noop"] = env.sender("tax").deploy(test_contract("NoopRecipient"))
        config = write_config(deps, folder)
        validators = [spawn_validator(config, "customs", key) for key in env.validators]
        relayer = None
        try:
            # Backlog: everything dispatched and signed before the relayer starts.
            _dispatch_all(customs, tax, backlog, b"backlog ")
            time.sleep(3.0)
            start_block = int(tax.w3.eth.block_number)
            started = time.monotonic()
            relayer = spawn_relayer(
                config, mnemonic_key(RELAYER_INDEX), "--batch-size", "50", poll=0.1
            )
            seen = _delivered_times(tax, customs.chain_id, backlog, start_block, timeout=300)
            backlog_seconds = max(seen.values()) - started
            delivering_seconds = max(seen.values()) - min(seen.values())
            # Stream: the relayer is running; latency per message.
            # Deliveries are watched while the stream is dispatched (a watcher started after
            # the last dispatch dated every earlier delivery at its own start: the p50 was
            # half the dispatch loop's duration, the p99 nearly all of it).
            start_block = int(tax.w3.eth.block_number)
            first_nonce = backlog
            watched: dict[int, float] = {}
            watcher = threading.Thread(
                target=lambda: watched.update(
                    _delivered_times(
                        _own_client(tax), customs.chain_id, stream, start_block + 1, timeout=300
                    )
                )
            )
            watcher.start()
            sent = _dispatch_all(customs, tax, stream, b"stream ")
            watcher.join()
            seen = watched
            latencies = sorted(
                seen[first_nonce + i] - sent[i] for i in range(stream) if first_nonce + i in seen
            )
        finally:
            if relayer is not None:
                stop(relayer)
            for process in validators:
                stop(process)

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 3)

    return {
        "setup": "anvil 1.7.1 x2 on one 2-core machine, 5 validator processes, 1 relayer, "
        f"batch 50, validator poll {VALIDATOR_POLL} s, relayer poll 0.1 s, confirmations 0",
        "backlog_messages": backlog,
        "backlog_seconds": round(backlog_seconds, 2),
        "delivery_rate_msgs_per_s": round(backlog / backlog_seconds, 1),
        "delivery_rate_after_first_delivery_msgs_per_s": round(backlog / delivering_seconds, 1),
        "stream_messages": stream,
        "stream_delivered": len(latencies),
        "latency_p50_s": pct(0.50),
        "latency_p99_s": pct(0.99),
        "latency_mean_s": round(statistics.mean(latencies), 3),
    }


def run(quick: bool = False) -> list[Figure]:
    r = measure(60, 30) if quick else measure()
    if not quick:  # keeps bench/relay_rate.json in step with results.json
        OUT.write_text(json.dumps(r, indent=2) + "\n")
    group = "Relayer (local anvil)"
    return [
        Figure(
            "relay.delivery_rate_msgs_per_s", group,
            f"Messages delivered per second (backlog of {r['backlog_messages']})",
            r["delivery_rate_msgs_per_s"], "msg/s",
            note=(
                f"{r['backlog_messages']} delivered in {r['backlog_seconds']} s from the "
                f"relayer's start; {r['delivery_rate_after_first_delivery_msgs_per_s']} msg/s "
                "from its first delivery"
            ),
            details=r,
        ),
        Figure(
            "relay.latency_p50_s", group, "Latency dispatch → delivery, p50", r["latency_p50_s"],
            "s",
            note=(
                f"{r['stream_delivered']} of {r['stream_messages']} streamed messages; mean "
                f"{r['latency_mean_s']} s"
            ),
        ),
        Figure(
            "relay.latency_p99_s", group, "Latency dispatch → delivery, p99", r["latency_p99_s"],
            "s",
        ),
    ]  # fmt: skip


def main() -> None:
    report = measure()
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
