"""The privacy-computing demo: joint import statistics that no single agency could see.

Customs, tax and the foreign exchange office each hold confidential per-sector
figures (thousands of USD). Each runs its own compute party (a separate OS
process on 127.0.0.1). They generate a joint key without a dealer (2 of 3 can
decrypt), the ministry opens the computation on chain, every agency encrypts
its figures and records the digest, the ministry aggregates homomorphically,
then the foreign exchange office goes offline and customs and tax alone
decrypt; the ministry publishes only the per-sector totals. The trail
(contributions, aggregate, shares, result) is then printed from chain data.

Call :func:`run_compute_demo` with the deployed ``Computations`` contract
(an ape ``ContractInstance`` on a chain that serves logs, e.g. anvil) and the
admin accounts of four organisations of its Consortium.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from trustspace.compute import client, flow
from trustspace.compute.documents import digest
from trustspace.compute.party import PASSPHRASE_ENV
from trustspace.compute.records import ComputationRecords, TrailEntry
from trustspace.devnet.chains import free_port

__all__ = [
    "FIGURES",
    "SECTORS",
    "ComputeDemoResult",
    "PartyProcess",
    "parties",
    "run_compute_demo",
    "spawn_party",
    "start_party",
    "wait_for",
]

#: The sectors the figures are reported for (HS sections, simplified).
SECTORS = ("machinery", "vehicles", "chemicals", "textiles", "food")
#: Each agency's confidential figures per sector, in thousands of USD.
FIGURES: dict[str, list[int]] = {
    "customs": [812_400, 455_120, 301_775, 120_050, 98_300],
    "tax": [790_150, 460_900, 295_010, 118_400, 101_250],
    "forex": [805_000, 449_500, 310_200, 121_900, 97_800],
}


@dataclass
class PartyProcess:
    """A running ``python -m trustspace.compute.party`` process."""

    org: int
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Terminate it (SIGTERM) and wait."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def spawn_party(
    home: Path, org: int, passphrase: str, chain: tuple[str, str] | None = None
) -> PartyProcess:
    """Start one party process on a free port (not yet waiting for it); ``chain`` is
    (RPC URL, Computations address), which it needs to decrypt. The passphrase goes
    through the environment, never the command line."""
    port = free_port()
    env = {**os.environ, PASSPHRASE_ENV: passphrase}
    home.mkdir(parents=True, exist_ok=True)
    with (home / "party.log").open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "trustspace.compute.party", "--home", str(home),
                "--org", str(org), "--port", str(port),
                *(["--rpc", chain[0], "--computations", chain[1]] if chain else []),
            ],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return PartyProcess(org, f"http://127.0.0.1:{port}", process)


def wait_for(party: PartyProcess, timeout: float = 30.0) -> PartyProcess:
    """Wait until ``party`` answers; stop it and raise if it exits or stays silent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if party.process.poll() is not None:
            raise RuntimeError(f"party of organisation {party.org} exited (see its party.log)")
        try:
            client.info(party.url)
            return party
        except client.PartyError:
            time.sleep(0.1)
    party.stop()
    raise RuntimeError(f"party of organisation {party.org} did not answer within {timeout} s")


def start_party(
    home: Path, org: int, passphrase: str, chain: tuple[str, str] | None = None
) -> PartyProcess:
    """:func:`spawn_party` and :func:`wait_for` it."""
    return wait_for(spawn_party(home, org, passphrase, chain))


@contextmanager
def parties(
    workdir: Path, orgs: Sequence[int], passphrase: str, chain: tuple[str, str] | None = None
) -> Iterator[list[PartyProcess]]:
    """One party process per organisation, started side by side, stopped on exit."""
    with ExitStack() as stack:
        started = []
        for org in orgs:
            party = spawn_party(workdir / f"party-{org}", org, passphrase, chain)
            stack.callback(party.stop)
            started.append(party)
        for party in started:
            wait_for(party)
        yield started


@dataclass(frozen=True)
class ComputeDemoResult:
    """What the demo computed and what the chain shows."""

    computation: int
    totals: list[int]
    expected: list[int]
    share_orgs: list[int]
    trail: list[TrailEntry]


def run_compute_demo(
    computations: Any,
    agencies: Mapping[str, tuple[int, Any]],
    ministry: tuple[int, Any],
    workdir: Path,
    console: Console | None = None,
) -> ComputeDemoResult:
    """Run the scenario; ``agencies`` maps ``customs``/``tax``/``forex`` to
    (organisation id, an ADMIN or NOTARY account), ``ministry`` is (its id, an ADMIN)."""
    out = console or Console()
    records = ComputationRecords(computations)
    orgs = {name: agencies[name][0] for name in FIGURES}
    chain = (str(computations.provider.uri), str(computations.address))
    passphrase = "demo passphrase (not for production)"
    with parties(workdir, list(orgs.values()), passphrase, chain) as running:
        urls = {p.org: p.url for p in running}
        with _progress(out) as bar:
            task = bar.add_task("dealerless key generation (3 parties)", total=5 * len(running))
            keys = client.keygen([urls[o] for o in orgs.values()], 2, lambda _s: bar.advance(task))
        key = keys.key
        out.print(f"joint key 0x{digest(key).hex()[:16]}… (secp256k1, ~128-bit), threshold 2 of 3")
        cid = records.open(
            ministry[1],
            list(orgs.values()),
            2,
            digest(key),
            "imports per sector, thousands USD: " + ", ".join(SECTORS),
        )
        out.print(f"the ministry opened computation {cid} on chain")
        with _progress(out) as bar:
            task = bar.add_task("agencies encrypt and record their figures", total=len(FIGURES))
            for name, figures in FIGURES.items():
                org, account = agencies[name]
                flow.contribute(records, account, cid, urls[org], key, org, figures)
                bar.advance(task)
        aggregate = flow.aggregate(records, ministry[1], cid, key, urls)
        out.print("the ministry aggregated the ciphertexts; nobody decrypted any single figure")
        offline = orgs["forex"]
        next(p for p in running if p.org == offline).stop()
        out.print("the foreign exchange office's party went offline (1 of 3 may)")
        for name in ("customs", "tax"):
            org, account = agencies[name]
            flow.share(records, account, cid, urls[org])
        published = flow.publish(records, ministry[1], cid, key, aggregate, urls)
    expected = [sum(col) for col in zip(*FIGURES.values(), strict=True)]
    table = Table(title=f"published totals of computation {cid}")
    table.add_column("sector")
    table.add_column("total (thousand USD)", justify="right")
    for sector, total in zip(SECTORS, published.totals, strict=True):
        table.add_row(sector, f"{total:,}")
    out.print(table)
    trail = records.trail(cid)
    out.print(_trail_table(cid, trail))
    return ComputeDemoResult(cid, published.totals, expected, published.share_orgs, trail)


def _trail_table(cid: int, trail: Sequence[TrailEntry]) -> Table:
    table = Table(title=f"trail of computation {cid}, from chain events")
    for column in ("block", "step", "org", "account", "digest", "detail"):
        table.add_column(column)
    for entry in trail:
        detail = ", ".join(f"{k}={v}" for k, v in entry.detail.items())
        # Chain data is printed as plain text: a description cannot inject terminal markup.
        cells = (
            str(entry.block), entry.step, str(entry.org), entry.account[:10] + "…",
            entry.digest[:18] + "…", detail,
        )  # fmt: skip
        table.add_row(*(Text(c) for c in cells))
    return table


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )
