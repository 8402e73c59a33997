"""A hub decision reaching two domain chains: latency with the daemons running, and the gas
of applying it on a domain.

Run alone: ``python -m bench.hub_propagation`` (prints the figures); ``make bench`` runs it
as its ``hub`` section. Three anvil chains (hub, customs, tax), the suite's Consortium,
MessageBus and HubLink on each (tests/utils/bus_local.py ``link_hub``), five validator
processes signing the hub's checkpoints and one relayer process, as operators run them.

- latency: the hub alternately suspends and reinstates an organisation; from the hub's
  execution receipt until *both* domains report the new status (each polled every 20 ms).
- gas: of the ``HubLink.handle`` frame inside each delivery (decode, sequence check, the
  Consortium's ``follow``), read from anvil's call tracer: applying one decision, without
  the bus's checkpoint and proof work ("excluding delivery").
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.results import AT_MOST, Figure
from tests.utils.bus_local import (
    RELAYER_INDEX,
    LocalBus,
    mnemonic_key,
    spawn_relayer,
    spawn_validator,
    stop,
    write_config,
)
from trustspace.consortium.constants import Action
from trustspace.devnet.chains import local_chains

DECISIONS = 20
LATENCY_TARGET_S = 2.0
APPLY_GAS_TARGET = 70_000
#: The organisation suspended and reinstated (maritime; customs and tax admins approve).
ORG = 3

METHOD = (
    "three anvil chains (hub, customs, tax), 5 validator processes on the hub chain, 1 relayer "
    "process; the hub suspends / reinstates one organisation; latency from the hub's execution "
    "receipt until both domains report the status (polled every 20 ms); gas of the "
    "HubLink.handle frame of each delivery from anvil's callTracer"
)


def _status(dep: Any) -> int:
    return int(dep.consortium.functions.organisation(ORG).call()[2])


def _wait_both(domains: list[Any], want: int, timeout: float = 60.0) -> float | None:
    """Seconds until every domain reports ``want`` (None on timeout), polled concurrently."""
    start = time.monotonic()
    done: dict[str, float] = {}

    def watch(dep: Any) -> None:
        while time.monotonic() - start < timeout:
            if _status(dep) == want:
                done[dep.name] = time.monotonic() - start
                return
            time.sleep(0.02)

    threads = [threading.Thread(target=watch, args=(d,)) for d in domains]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return max(done.values()) if len(done) == len(domains) else None


def _handle_gas(dep: Any, link: str, from_block: int) -> list[int]:
    """Gas of each HubLink.handle frame in the deliveries mined on ``dep`` since a block."""
    gas = []
    for event in dep.bus.events.Delivered().get_logs(from_block=from_block):
        trace = dep.w3.provider.make_request(
            "debug_traceTransaction",
            [event["transactionHash"].hex(), {"tracer": "callTracer"}],  # type: ignore[list-item]
        )["result"]
        stack = [trace]
        while stack:
            frame = stack.pop()
            if str(frame.get("to", "")).lower() == link.lower():
                gas.append(int(frame["gasUsed"], 16))
            stack.extend(frame.get("calls", []))
    return gas


def measure(decisions: int = DECISIONS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp, local_chains() as chains:
        env = LocalBus(list(chains), folder=Path(tmp) / "deployments")
        deps = env.deploy()
        links = env.link_hub("hub")
        config = write_config(deps, Path(tmp))
        validators = [spawn_validator(config, "hub", key) for key in env.validators]
        relayer = spawn_relayer(config, mnemonic_key(RELAYER_INDEX))
        domains = [deps["customs"], deps["tax"]]
        try:
            deadline = time.monotonic() + 120
            while any(links[d.name].functions.applied_seq().call() < 1 for d in domains):
                assert time.monotonic() < deadline, "the registration snapshots were not delivered"
                time.sleep(0.1)
            start_blocks = {d.name: int(d.w3.eth.block_number) + 1 for d in domains}
            latencies = []
            for i in range(decisions):
                action, want = (Action.SUSPEND_ORG, 2) if i % 2 == 0 else (Action.REINSTATE_ORG, 1)
                env.govern("hub", action, org_id=ORG)
                seconds = _wait_both(domains, want)
                if seconds is not None:
                    latencies.append(seconds)
            gas = [
                g
                for d in domains
                for g in _handle_gas(d, links[d.name].address, start_blocks[d.name])
            ]
        finally:
            stop(relayer)
            for process in validators:
                stop(process)
    latencies.sort()
    return {
        "decisions": decisions,
        "applied_on_both": len(latencies),
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p99_s": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 3),
        "apply_gas_max": max(gas),
        "apply_gas_median": int(statistics.median(gas)),
        "apply_gas_samples": len(gas),
    }


def run(quick: bool = False) -> list[Figure]:
    r = measure(6 if quick else DECISIONS)
    details = {k: v for k, v in r.items()}
    return [
        Figure(
            "hub.decision.latency_p50", "hub", "hub decision effective on two domains (median)",
            r["latency_p50_s"], "s", LATENCY_TARGET_S, AT_MOST,
            note=f"p99 {r['latency_p99_s']} s over {r['applied_on_both']} decisions",
            details=details,
        ),
        Figure(
            "hub.decision.apply_gas", "hub", "applying one hub decision on a domain (max)",
            r["apply_gas_max"], "gas", APPLY_GAS_TARGET, AT_MOST,
            note=f"median {r['apply_gas_median']} over {r['apply_gas_samples']} deliveries; "
            "the HubLink.handle frame, excluding the bus's checkpoint and proof work",
            details=details,
        ),
    ]  # fmt: skip


if __name__ == "__main__":
    for figure in run(quick=False):
        print(f"{figure.name}: {figure.measured} {figure.unit} (target {figure.target})")
