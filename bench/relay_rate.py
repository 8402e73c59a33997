"""Relayer throughput and dispatch→delivery latency on local anvil chains.

Run with ``PYTHONPATH=. .venv/bin/python bench/relay_rate.py`` after ``ape compile``;
writes bench/relay_rate.json. Five validator processes sign customs' checkpoints
(confirmations 0), one relayer process delivers customs → tax in batches of 50.

- backlog: 300 messages dispatched first, then the relayer starts; rate = messages
  / seconds from its start to the last delivery.
- stream: 200 messages dispatched one by one with the relayer running; latency of
  each from its dispatch receipt to the Delivered event seen on tax (p50, p99).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from trustspace.bus.local import (
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
from trustspace.bus.web3tx import TxSender
from trustspace.chains import local_chains

OUT = Path(__file__).with_name("relay_rate.json")
BACKLOG = 300
STREAM = 200


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


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="relay-rate-"))
    with local_chains() as chains:
        env = LocalBus([c for c in chains if c.name in ("customs", "tax")])
        deps = env.deploy()
        customs, tax = deps["customs"], deps["tax"]
        env.allow_sender("customs", mnemonic_key(SENDER_INDEX).address)
        tax.extra["noop"] = env.sender("tax").deploy("NoopRecipient")
        config = write_config(deps, folder)
        validators = [spawn_validator(config, "customs", key) for key in env.validators]
        relayer = None
        try:
            # Backlog: everything dispatched and signed before the relayer starts.
            _dispatch_all(customs, tax, BACKLOG, b"backlog ")
            time.sleep(3.0)
            start_block = int(tax.w3.eth.block_number)
            started = time.monotonic()
            relayer = spawn_relayer(
                config, mnemonic_key(RELAYER_INDEX), "--batch-size", "50", poll=0.1
            )
            seen = _delivered_times(tax, customs.chain_id, BACKLOG, start_block, timeout=300)
            backlog_seconds = max(seen.values()) - started
            delivering_seconds = max(seen.values()) - min(seen.values())
            # Stream: the relayer is running; latency per message.
            start_block = int(tax.w3.eth.block_number)
            first_nonce = BACKLOG
            sent = _dispatch_all(customs, tax, STREAM, b"stream ")
            seen = _delivered_times(tax, customs.chain_id, STREAM, start_block + 1, timeout=300)
            latencies = sorted(
                seen[first_nonce + i] - sent[i] for i in range(STREAM) if first_nonce + i in seen
            )
        finally:
            if relayer is not None:
                stop(relayer)
            for process in validators:
                stop(process)

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 3)

    report = {
        "setup": "anvil 1.7.1 x2 on one 2-core machine, 5 validator processes, 1 relayer, "
        "batch 50, validator and relayer poll 0.2 s / 0.1 s, confirmations 0",
        "backlog_messages": BACKLOG,
        "backlog_seconds": round(backlog_seconds, 2),
        "delivery_rate_msgs_per_s": round(BACKLOG / backlog_seconds, 1),
        "delivery_rate_after_first_delivery_msgs_per_s": round(BACKLOG / delivering_seconds, 1),
        "stream_messages": STREAM,
        "stream_delivered": len(latencies),
        "latency_p50_s": pct(0.50),
        "latency_p99_s": pct(0.99),
        "latency_mean_s": round(statistics.mean(latencies), 3),
    }
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
