"""Follows chains' logs into the index: chunks of blocks up to head − confirmations, reorgs
undone, a node's answers checked before they are stored.

One step of one chain (:meth:`Follower.step`):

1. the head, and the block the cursor stands on (``next_block - 1``): if its hash is no
   longer the stored one, a reorg replaced it: walk back over the stored blocks to the
   highest one the node still has, delete everything above it (one transaction), go on
   from there;
2. the chunk ``[next_block, min(next_block + chunk - 1, head - confirmations)]``: the node's
   header of its last block, ALL its logs (no address filter: a permissioned chain's traffic
   is the consortium's), the header of its last block again;
3. the answer is refused, and nothing stored, when a log lies outside the requested range,
   a log index repeats, a block's logs name another hash than the block's header (every
   block with logs is checked), the last block's header changed between the calls, or the
   chunk does not link to the stored block below it (a reorg under way, or a node that does
   not answer consistently: retried at the next step);
4. blocks, logs and the new cursor in ONE transaction (:meth:`Store.commit_step`).

A node that refuses a range (many cap the size of an ``eth_getLogs`` answer) is asked for half
as many blocks at the next step, down to one; after 16 answered steps in a row the span
doubles again, up to ``chunk``.

A chain whose block 0 differs from the one indexed (restarted from nothing) is refused
unless ``reindex`` is given, which drops its rows and starts again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from web3 import Web3
from web3.exceptions import Web3RPCError

from trustspace.errors import InputError, TrustspaceError
from trustspace.index.decode import hex0x, row_of
from trustspace.index.store import BlockRow, ChainRow, LogRow, Store

__all__ = [
    "DEFAULT_CHUNK",
    "ChainSource",
    "Follower",
    "IndexMismatchError",
    "NodeAnswerError",
    "StepResult",
    "follow",
]

#: Blocks asked per eth_getLogs call.
DEFAULT_CHUNK = 2000
#: Answered steps in a row after which a narrowed span is doubled again.
_GROW_AFTER = 16
#: With ``once``: inconsistent or refused answers in a row before a chain is given up.
_ONCE_RETRIES = 20


class NodeAnswerError(TrustspaceError):
    """The node's answer is not consistent (out-of-range logs, changing hashes): not stored."""


class IndexMismatchError(InputError):
    """The index holds another history of this chain id (block 0 differs)."""


@dataclass(frozen=True)
class ChainSource:
    """A chain to follow: a label, its node and where to start on first use (a block number,
    or a function of the chain id the node reports: the lowest block of its deployment
    record)."""

    name: str
    w3: Web3
    start_block: int | Callable[[int], int] = 0

    def start_for(self, chain_id: int) -> int:
        """The block to start from on a chain the index does not hold yet."""
        if callable(self.start_block):
            return self.start_block(chain_id)
        return self.start_block


@dataclass
class StepResult:
    """What one step did."""

    name: str
    chain_id: int
    from_block: int
    next_block: int
    head: int
    logs: int = 0
    rewound_to: int | None = None
    removed: int = 0
    #: The chain was restarted from nothing and, with ``reindex``, its rows were dropped.
    restarted: bool = False

    @property
    def caught_up(self) -> bool:
        """True when the cursor reached head − confirmations."""
        return self.next_block > self.head


@dataclass
class Follower:
    """One chain's follower over one store."""

    store: Store
    source: ChainSource
    confirmations: int = 0
    chunk: int = DEFAULT_CHUNK
    reindex: bool = False
    _row: ChainRow | None = field(default=None, init=False)
    #: Blocks asked at the next step: halved when the node refuses a range (many nodes cap
    #: eth_getLogs answers), doubled back towards ``chunk`` after :data:`_GROW_AFTER` answered
    #: steps in a row.
    _span: int = field(default=0, init=False)
    _answered: int = field(default=0, init=False)
    #: The chain's rows were dropped (``reindex``): told by the next step's result.
    _dropped: bool = field(default=False, init=False)

    @property
    def w3(self) -> Web3:
        """The node."""
        return self.source.w3

    def attach(self) -> ChainRow:
        """The chain's row, registered on first use; refuses another history of the chain."""
        chain_id = int(self.w3.eth.chain_id)
        genesis = hex0x(self.w3.eth.get_block(0)["hash"])
        row = self.store.chain(chain_id)
        if row is not None and row.genesis != genesis:
            self._row = None
            if not self.reindex:
                raise IndexMismatchError(
                    f"{self.source.name} (chain {chain_id}) is not the chain the index holds "
                    f"(block 0 differs: restarted from nothing?): index it again with "
                    f"`trustspace index run --reindex`, or use another {'TRUSTSPACE_INDEX'}"
                )
            self.store.drop_chain(chain_id)
            self._dropped = True
            row = None
        if row is None:
            row = self.store.add_chain(
                chain_id, self.source.name, self.source.start_for(chain_id), genesis
            )
        self._row = row
        return row

    def step(self) -> StepResult:
        """Check for a reorg, then index one chunk (see the module docstring)."""
        row = self._row or self.attach()
        chain_id = row.chain_id
        current = self.store.chain(chain_id)
        if current is None:
            raise InputError(f"chain {chain_id} was removed from the index while followed")
        next_block = current.next_block
        head = int(self.w3.eth.block_number)
        target = head - self.confirmations
        result = StepResult(self.source.name, chain_id, next_block, next_block, target)
        result.restarted, self._dropped = self._dropped, False
        if next_block > current.start_block:
            ancestor = self._common_ancestor(chain_id, next_block - 1, current.start_block)
            if ancestor != next_block - 1 and self._restarted(current):
                # The node was restarted from nothing while followed (a local chain reset):
                # not a reorg to undo, another chain; refused as at start unless --reindex.
                return self._reattached()
            if ancestor != next_block - 1:
                result.removed = self.store.rewind(chain_id, ancestor)
                result.rewound_to = ancestor
                next_block = ancestor + 1
                result.from_block = result.next_block = next_block
        if next_block > target:
            return result
        span = self._span or self.chunk
        end = min(next_block + span - 1, target)
        try:
            blocks, logs = self._fetch(chain_id, next_block, end)
        except Web3RPCError as err:
            if span == 1:
                raise
            self._span = max(1, span // 2)
            self._answered = 0
            raise NodeAnswerError(
                f"the node refused blocks {next_block}-{end} ({err}): asking for "
                f"{self._span} blocks at a time"
            ) from err
        self._answered += 1
        if self._answered >= _GROW_AFTER:
            self._span, self._answered = min(self.chunk, span * 2), 0
        self.store.commit_step(chain_id, next_block, end + 1, blocks, logs)
        result.next_block = end + 1
        result.logs = len(logs)
        return result

    def _restarted(self, row: ChainRow) -> bool:
        """True when the node's block 0 is not the one indexed."""
        return hex0x(self.w3.eth.get_block(0)["hash"]) != row.genesis

    def _reattached(self) -> StepResult:
        """After a restart from nothing: :meth:`attach` refuses it (``IndexMismatchError``)
        or, with ``reindex``, drops the chain's rows; the next step indexes the new chain."""
        row = self.attach()
        self._dropped = False
        return StepResult(self.source.name, row.chain_id, row.next_block, row.next_block,
                          row.next_block, restarted=True)  # fmt: skip

    def _chain_hash(self, number: int) -> str | None:
        try:
            return hex0x(self.w3.eth.get_block(number)["hash"])
        except Exception as err:
            if "not found" in str(err).lower():
                return None  # above the node's head after a reorg to a shorter chain
            raise

    def _common_ancestor(self, chain_id: int, last: int, start: int) -> int:
        """The highest stored block the node still has (``last`` when nothing changed);
        ``start - 1`` when none of the stored ones is left."""
        below = last
        while True:
            stored = self.store.blocks_below(chain_id, below)
            if not stored:
                return start - 1
            for block in stored:
                if self._chain_hash(block.number) == block.hash:
                    return block.number
            below = stored[-1].number - 1

    def _raw_logs(self, start: int, end: int) -> Sequence[Mapping[str, Any]]:
        """The node's eth_getLogs answer as JSON (web3's result formatters, half of the
        follower's time, are skipped: :func:`row_of` reads the hex fields itself)."""
        answer = self.w3.provider.make_request(
            "eth_getLogs",  # type: ignore[arg-type]
            [{"fromBlock": hex(start), "toBlock": hex(end)}],
        )
        if answer.get("error") is not None:
            raise Web3RPCError(str(answer["error"]), rpc_response=answer)
        logs = answer.get("result")
        if not isinstance(logs, list) or not all(isinstance(log, dict) for log in logs):
            raise NodeAnswerError(f"eth_getLogs for blocks {start}-{end} answered no list of logs")
        return logs

    def _fetch(self, chain_id: int, start: int, end: int) -> tuple[list[BlockRow], list[LogRow]]:
        header = self.w3.eth.get_block(end)
        logs = self._raw_logs(start, end)
        again = self.w3.eth.get_block(end)
        end_hash = hex0x(header["hash"])
        if hex0x(again["hash"]) != end_hash:
            raise NodeAnswerError(f"block {end}'s hash changed while it was read (a reorg?)")
        try:
            rows = [row_of(chain_id, log) for log in logs]
        except (KeyError, ValueError, TypeError, AttributeError) as err:
            raise NodeAnswerError(f"the node answered a malformed log ({err!r})") from err
        by_block: dict[int, str] = {}
        seen: set[tuple[int, int]] = set()
        for r in rows:
            if not start <= r.block_number <= end:
                raise NodeAnswerError(
                    f"the node answered a log of block {r.block_number} for blocks {start}-{end}"
                )
            if by_block.setdefault(r.block_number, r.block_hash) != r.block_hash:
                raise NodeAnswerError(f"logs of block {r.block_number} name two block hashes")
            key = (r.block_number, r.log_index)
            if key in seen:
                raise NodeAnswerError(f"log {key} answered twice")
            seen.add(key)
        headers = {end: header}
        for number in sorted(set(by_block) | ({start} if start > 0 else set())):
            if number not in headers:
                headers[number] = self.w3.eth.get_block(number)
            if by_block.get(number, hex0x(headers[number]["hash"])) != hex0x(
                headers[number]["hash"]
            ):
                raise NodeAnswerError(f"logs of block {number} name another hash than its header")
        if start > 0:
            below = self.store.block(chain_id, start - 1)
            if below is not None and hex0x(headers[start]["parentHash"]) != below.hash:
                raise NodeAnswerError(
                    f"block {start} does not follow the indexed block {start - 1}"
                )
        rows.sort(key=lambda r: (r.block_number, r.log_index))
        blocks = [
            BlockRow(n, hex0x(h["hash"]), hex0x(h["parentHash"]), n in by_block)
            for n, h in sorted(headers.items())
            if n in by_block or n == end
        ]
        return blocks, rows


def follow(
    followers: Sequence[Follower],
    *,
    once: bool,
    should_stop: Callable[[], bool],
    report: Callable[[StepResult], None],
    warn: Callable[[str, BaseException], None],
    idle: float = 1.0,
    max_backoff: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Step every follower until each is caught up (``once``) or ``should_stop()``.

    A chain that fails (node down, inconsistent answer) gets a warning and is retried with
    back-off (doubling up to ``max_backoff`` seconds) while the others go on. With ``once`` a
    chain that does not answer is not retried, and an inconsistent or refused answer (a reorg
    under way, a range too wide) is retried at once up to :data:`_ONCE_RETRIES` times in a row;
    then its error is re-raised after the others caught up.
    """
    retry_at = {id(f): 0.0 for f in followers}
    backoff = {id(f): idle for f in followers}
    strikes = {id(f): 0 for f in followers}
    failures: dict[int, BaseException] = {}
    done: set[int] = set()
    while not should_stop():
        progressed = False
        now = time.monotonic()
        for follower in followers:
            key = id(follower)
            if key in done or retry_at[key] > now or should_stop():
                continue
            try:
                result = follower.step()
            except InputError:
                raise  # the index or the configuration is wrong: retrying cannot help
            except Exception as err:
                warn(follower.source.name, err)
                failures[key] = err
                strikes[key] += 1
                if once:
                    if isinstance(err, NodeAnswerError) and strikes[key] < _ONCE_RETRIES:
                        continue
                    done.add(key)  # reported at the end; the other chains go on
                    continue
                retry_at[key] = time.monotonic() + backoff[key]
                backoff[key] = min(backoff[key] * 2, max_backoff)
                continue
            failures.pop(key, None)
            strikes[key] = 0
            backoff[key] = idle
            report(result)
            if result.caught_up:
                if once:
                    done.add(key)
            else:
                progressed = True
        if once and len(done) == len(followers):
            break
        if not progressed:
            sleep(min(idle, 0.2) if once else idle)
    if once and failures:
        raise next(iter(failures.values()))
