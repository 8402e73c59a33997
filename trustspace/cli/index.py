"""``trustspace index``: follow the chains' events into a database; show how far it is.

``index run`` follows every configured chain (each network with a deployment record, or the
``--network`` options) into the index (``$TRUSTSPACE_INDEX``: a file path or a
``postgresql://`` URL; default ``$TRUSTSPACE_HOME/index.sqlite``) until SIGINT/SIGTERM, or
with ``--once`` until each chain is caught up. ``index status`` shows per chain the start
block, the cursor, the node's head, the lag and the number of logs. docs/indexer.md.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, replace
from typing import Any

import click
from rich.table import Table

from trustspace.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_UNREACHABLE,
    CommandError,
    console,
    emit,
    err_console,
    fail,
    json_option,
    plain,
)
from trustspace.errors import InputError, UnreachableError

__all__ = ["index"]

#: Environment override of --chunk (blocks per eth_getLogs call).
CHUNK_ENV = "TRUSTSPACE_INDEX_CHUNK"


class _Stopper:
    """True once SIGTERM or SIGINT arrived: the loop ends after the step under way. A second
    one stops at once (a step waiting for a node that hangs can take its whole timeout): every
    step is one transaction, so an interrupted one leaves nothing behind."""

    def __init__(self) -> None:
        self.stopped = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)

    def _stop(self, *_: Any) -> None:
        if self.stopped:
            raise KeyboardInterrupt
        self.stopped = True
        err_console.print(
            "stopping after the step under way (Ctrl-C again stops at once)", soft_wrap=True
        )

    def __call__(self) -> bool:
        return self.stopped


@dataclass(frozen=True)
class _Target:
    label: str
    url: str
    network: str | None


def _targets(networks: tuple[str, ...]) -> list[_Target]:
    """The chains to follow: the ``--network`` values, else every recorded network."""
    from trustspace.cli.recorded import parse_target
    from trustspace.deploy import records
    from trustspace.paths import deployments_folder

    if networks:
        # A NAME=URL chain keeps its URL in its name, so that `index status` reaches it.
        out = [replace(t, label=n) if "=" in n else t for n, t in
               ((n.strip(), parse_target(n)) for n in networks)]  # fmt: skip
    else:
        folder = deployments_folder()
        out = []
        for path, record in records.current(folder):
            if record.network.endswith(":custom") or "://" in record.network:
                err_console.print(
                    f"warning: {path.name} was deployed over a URL: give that chain as "
                    "--network NAME=URL to index it",
                    soft_wrap=True,
                )
                continue
            try:
                out.append(parse_target(record.network))
            except CommandError as err:
                err_console.print(f"warning: {path.name}: {err}", soft_wrap=True)
        if not out:
            raise CommandError(
                f"no chain to index: no deployment record in {folder} names a reachable "
                "network; give --network (hub, customs, tax, an ape network or a URL) or set "
                "TRUSTSPACE_DEPLOYMENTS",
                EXIT_BAD_INPUT,
            )
    seen: dict[str, _Target] = {}
    for t in out:
        seen.setdefault(t.url, _Target(t.label, t.url, t.network))
    return list(seen.values())


def _start_blocks(values: tuple[str, ...], targets: list[_Target]) -> dict[str, Any]:
    """``--start-block`` values by chain label ("" for every chain)."""
    out: dict[str, Any] = {}
    for value in values:
        name, sep, number = value.strip().rpartition("=")
        if not number.isdigit():
            raise CommandError(
                f"--start-block {value!r}: give a block number (BLOCK, for every chain) or "
                "NAME=BLOCK (for the chain given as --network NAME)"
            )
        if not sep:
            out[""] = int(number)
            continue
        hits = [t.label for t in targets if name in (t.label, t.label.split("=", 1)[0], t.url)]
        if not hits:
            known = ", ".join(t.label for t in targets)
            raise CommandError(f"--start-block {value!r}: no chain {name!r} is indexed ({known})")
        out[hits[0]] = int(number)
    return out


def _record_start(target: _Target) -> Any:
    """The lowest block of the chain's deployment record (0 without a record)."""

    def start(chain_id: int) -> int:
        from trustspace.deploy import records
        from trustspace.paths import deployments_folder

        record = records.find(deployments_folder(), chain_id, target.network)
        blocks = [c.block for _, c in record.deployed() if c.block] if record else []
        return min(blocks) if blocks else 0

    return start


def _open(target: str | None = None) -> Any:
    from trustspace.index.store import open_store

    try:
        return open_store(target)
    except (InputError, UnreachableError) as err:
        raise CommandError(
            str(err), EXIT_UNREACHABLE if isinstance(err, UnreachableError) else EXIT_BAD_INPUT
        ) from err


@click.group(name="index")
def index() -> None:
    """The event index: every chain's logs in SQLite (default) or PostgreSQL."""


@index.command(name="run")
@click.option(
    "--network",
    "networks",
    multiple=True,
    help="A chain to follow (hub, customs, tax, an ape network choice, NAME=URL or a URL); "
    "repeat for several [default: every network with a deployment record].",
)
@click.option(
    "--confirmations",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Index only blocks this far below the head (a reorg shallower than this never "
    "reaches the index; deeper ones are undone).",
)
@click.option(
    "--start-block",
    "start_blocks",
    multiple=True,
    help="Where to start on a chain the index does not hold yet: BLOCK for every chain, or "
    "NAME=BLOCK for one (repeat) [default: the lowest block of its deployment record, else 0].",
)
@click.option(
    "--chunk",
    type=click.IntRange(min=1),
    default=None,
    help=f"Blocks per eth_getLogs call [default: ${CHUNK_ENV}, else 2000].",
)
@click.option(
    "--poll",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Seconds between steps once caught up.",
)
@click.option("--once", is_flag=True, help="Catch up with every chain, then exit.")
@click.option(
    "--reindex",
    is_flag=True,
    help="A chain restarted from nothing (block 0 differs from the index's): drop its rows "
    "and index it again instead of refusing.",
)
@json_option
def run(
    networks: tuple[str, ...],
    confirmations: int,
    start_blocks: tuple[str, ...],
    chunk: int | None,
    poll: float,
    once: bool,
    reindex: bool,
    as_json: bool,
) -> None:
    """Follow the chains' events into the index until SIGINT/SIGTERM (or --once)."""
    from trustspace.index.follower import DEFAULT_CHUNK, ChainSource, Follower, StepResult, follow
    from trustspace.index.store import describe_target

    if chunk is None:
        raw = os.environ.get(CHUNK_ENV, "").strip()
        if raw and (not raw.isdigit() or int(raw) < 1):
            raise CommandError(f"{CHUNK_ENV}={raw!r}: give a whole number of blocks (1 or more)")
        chunk = int(raw) if raw else DEFAULT_CHUNK
    targets = _targets(networks)
    starts = _start_blocks(start_blocks, targets)
    store = _open()
    from web3 import Web3

    followers = [
        Follower(
            store,
            ChainSource(
                t.label,
                # No retries inside web3 (five by default, 76 s on a node that hangs): the
                # follower retries a chain itself, and a stop waits for one request at most.
                Web3(
                    Web3.HTTPProvider(
                        t.url, request_kwargs={"timeout": 15}, exception_retry_configuration=None
                    )
                ),
                starts.get(t.label, starts.get("", _record_start(t))),
            ),
            confirmations=confirmations,
            chunk=chunk,
            reindex=reindex,
        )
        for t in targets
    ]
    err_console.print(
        f"indexing {', '.join(t.label for t in targets)} into "
        f"{describe_target(store.target)}" + ("" if once else " (Ctrl-C stops)"),
        soft_wrap=True,
    )
    last: dict[str, StepResult] = {}

    failing: dict[str, str] = {}  # chain → the last warning's reason, until it answers
    asked = {t.label: starts.get(t.label, starts.get("")) for t in targets}

    def report(result: StepResult) -> None:
        start = asked.get(result.name)
        if result.name not in last and isinstance(start, int):
            _start_ignored(store, result, start)
        last[result.name] = result
        why = failing.pop(result.name, None)
        if why is not None:
            again = "the node answers again" if why == _DOWN else "indexing again"
            err_console.print(f"{result.name}: {again}", soft_wrap=True)
        if result.restarted:
            err_console.print(
                f"{result.name} (chain {result.chain_id}) was restarted from nothing (block 0 "
                "differs): its rows were dropped, indexing it again (--reindex)",
                soft_wrap=True,
            )
        if result.rewound_to is not None:
            err_console.print(
                f"{result.name}: reorg: blocks above {result.rewound_to} replaced, "
                f"{result.removed} logs undone",
                soft_wrap=True,
            )
        if result.next_block > result.from_block:
            err_console.print(
                f"{result.name} (chain {result.chain_id}): blocks {result.from_block}-"
                f"{result.next_block - 1}, {result.logs} logs; cursor {result.next_block}, "
                f"head {result.head + confirmations}",
                soft_wrap=True,
            )

    def warn(name: str, err: BaseException) -> None:
        why = _why(err)
        if failing.get(name) == why:
            return  # one line per outage, not one per retry
        failing[name] = why
        again = "" if once else " (retried with back-off)"
        err_console.print(f"warning: {name}: {why}{again}", soft_wrap=True)

    try:
        follow(followers, once=once, should_stop=_Stopper(), report=report, warn=warn, idle=poll)
    except InputError as err:
        raise CommandError(str(err), EXIT_BAD_INPUT) from err
    except KeyboardInterrupt:
        pass  # stopped at once: the step under way was rolled back
    except Exception as err:
        names = [f.source.name for f in followers if f.source.name not in last]
        others = "; the other chains were indexed" if last else ""
        fail(
            f"cannot index {', '.join(names) or 'a chain'}: {_why(err)}; start it "
            f"(`trustspace chains up` for the local chains) or check --network{others}",
            EXIT_UNREACHABLE,
            as_json=as_json,
            chains=[_summary(r) for r in last.values()],
        )
    finally:
        store.close()
    rows = [_summary(r) for r in last.values()]

    def render() -> None:
        for r in rows:
            console.print(
                f"{r['name']} (chain {r['chain_id']}): indexed up to block {r['cursor'] - 1}"
            )

    emit(as_json, {"ok": True, "database": describe_target(store.target), "chains": rows}, render)


_DOWN = "the node does not answer"


def _start_ignored(store: Any, result: Any, asked: int) -> None:
    """Say so when --start-block names a chain the index already holds from elsewhere."""
    row = store.chain(result.chain_id)
    if row is not None and row.start_block != asked:
        err_console.print(
            f"warning: {result.name}: --start-block {asked} not used: the index holds this "
            f"chain from block {row.start_block} (it applies only to a chain not indexed yet: "
            "point TRUSTSPACE_INDEX at a new database to start there)",
            soft_wrap=True,
        )


def _why(err: BaseException) -> str:
    """One short line for a chain's failure."""
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import Timeout

    if isinstance(err, UnreachableError):  # the index database, not the node
        return " ".join(str(err).split())[:200]
    if isinstance(err, RequestsConnectionError | Timeout | ConnectionError | TimeoutError):
        return _DOWN
    return " ".join(str(err).split())[:200]


def _summary(result: Any) -> dict[str, Any]:
    return {"name": result.name, "chain_id": result.chain_id, "cursor": result.next_block}


@index.command(name="status")
@json_option
def status(as_json: bool) -> None:
    """Per indexed chain: start block, cursor, the node's head, lag and log count."""
    from trustspace.index.store import configured_target, database_exists, describe_target

    target = configured_target()
    if not database_exists(target):
        # Opening would create an empty database (and its folders) where a typo points.
        raise CommandError(
            f"no index at {target}: `trustspace index run` builds it (TRUSTSPACE_INDEX names "
            "the database, default $TRUSTSPACE_HOME/index.sqlite)",
            EXIT_BAD_INPUT,
        )
    store = _open()
    try:
        rows = [_status_row(store, c) for c in store.chains()]
    finally:
        store.close()
    database = describe_target(store.target)

    def render() -> None:
        table = Table(title=f"Index {database}")
        for column in ("chain", "chain id", "start", "cursor", "head", "lag", "logs"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                plain(r["name"]),
                plain(r["chain_id"]),
                plain(r["start_block"]),
                plain(r["cursor"]),
                plain("unreachable" if r["head"] is None else r["head"]),
                plain("restarted" if r["restarted"] else "-" if r["lag"] is None else r["lag"]),
                plain(r["logs"]),
            )
        console.print(table)
        for r in rows:
            if r["restarted"]:
                console.print(
                    f"{r['name']}: the chain was restarted from nothing (block 0 differs from "
                    "the index's): readers read the chain; `trustspace index run --reindex` "
                    "indexes it again",
                    soft_wrap=True,
                )
        if not rows:
            console.print("no chain indexed yet: `trustspace index run` starts")

    emit(as_json, {"ok": True, "database": database, "chains": rows}, render)


def _status_row(store: Any, chain: Any) -> dict[str, Any]:
    head, restarted = _head(chain.name, chain.chain_id, chain.genesis)
    return {
        "name": chain.name,
        "chain_id": chain.chain_id,
        "start_block": chain.start_block,
        "cursor": chain.next_block,
        "head": head,
        "lag": None if head is None or restarted else max(0, head + 1 - chain.next_block),
        "logs": store.log_count(chain.chain_id),
        "restarted": restarted,
    }


def _head(name: str, chain_id: int, genesis: str) -> tuple[int | None, bool]:
    """The node's head, if the chain answers as ``chain_id`` (None otherwise), and whether
    its block 0 differs from the indexed one (restarted from nothing)."""
    from web3 import Web3

    from trustspace.cli.recorded import parse_target
    from trustspace.index.decode import hex0x

    try:
        w3 = Web3(Web3.HTTPProvider(parse_target(name).url, request_kwargs={"timeout": 3}))
        if int(w3.eth.chain_id) != chain_id:
            return None, False
        restarted = hex0x(w3.eth.get_block(0)["hash"]) != genesis
        return int(w3.eth.block_number), restarted
    except Exception:  # a chain that is down or renamed: shown as unreachable
        return None, False
