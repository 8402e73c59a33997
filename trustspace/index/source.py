"""Where readers get logs: the configured index for the blocks it holds, the chain otherwise.

``get_logs(w3, params)`` has the contract of ``w3.eth.get_logs(params)``: ``address`` one
address or a list, ``topics`` with ``None`` and lists, ``fromBlock``/``toBlock`` block numbers
or ``"latest"``; the answer is a list of log dicts (``address``, ``topics``, ``data``,
``blockNumber``, ``blockHash``, ``transactionHash``, ``logIndex``, ...) in chain order, which
web3's ``contract.events.X().process_log`` decodes.

When an index is configured (``$TRUSTSPACE_INDEX`` set, or the default file
``$TRUSTSPACE_HOME/index.sqlite`` exists) and holds this chain, blocks below the index's
cursor (and at or above the block it started from) are answered from SQL and the rest from
the node. The index is used only when it is
of this chain's history: same chain id and, at the last block it scanned, the same block
hash as the node reports (a restarted chain, or one reorganised below the cursor since the
indexer last looked, is read from the node). Any failure to read the index also falls back
to the node: the index is a cache of the chain, never a second truth.

:func:`index_for` tells a command whether it reads the index (``"source": "index"`` in its
JSON), and the lookups below (:func:`record_events`, :func:`records_of_organisation`,
:func:`records_by_schema`, :func:`lineage`, :func:`message_events`) answer the portal's
questions from the index alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.exceptions import BlockNotFound

from trustspace.index.decode import events_by_topic, hex0x
from trustspace.index.store import (
    ChainRow,
    LogRow,
    Store,
    cached_store,
    configured_target,
    forget_store,
    is_configured,
)

__all__ = [
    "IndexedChain",
    "get_logs",
    "index_for",
    "lineage",
    "message_events",
    "record_events",
    "records_by_schema",
    "records_of_organisation",
    "source_name",
    "to_web3_log",
    "topic",
]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexedChain:
    """An index that holds this chain's history up to ``next_block - 1``."""

    store: Store
    chain: ChainRow

    @property
    def chain_id(self) -> int:
        """The chain id."""
        return self.chain.chain_id

    @property
    def next_block(self) -> int:
        """The first block the index does not hold."""
        return self.chain.next_block


def index_for(w3: Web3) -> IndexedChain | None:
    """The index of the chain ``w3`` reaches, if one is configured and matches its history."""
    if not is_configured():
        return None
    target = configured_target()
    if "://" not in target and not Path(target).is_file():
        return None  # a reader never creates the database
    try:
        store = cached_store(target)
        chain_id = int(w3.eth.chain_id)
        row = store.chain(chain_id)
        if row is None or row.next_block <= row.start_block:
            return None
        last = store.block(chain_id, row.next_block - 1)
        if last is None:
            return None
        try:
            header = w3.eth.get_block(row.next_block - 1)
        except BlockNotFound:
            return None  # the chain is shorter than the index: another history, read the node
        if hex0x(header["hash"]) != last.hash:
            return None  # another history than the one indexed: read the node
        return IndexedChain(store, row)
    except Exception as err:  # any database or node trouble: the node answers alone
        _log.warning("index not used: %s", err)
        forget_store(target)
        return None


def source_name(w3: Web3) -> str:
    """``"index"`` when :func:`get_logs` reads the index for this chain, else ``"chain"``."""
    return "index" if index_for(w3) is not None else "chain"


def _block_number(w3: Web3, value: Any, head: list[int]) -> int | None:
    """A fromBlock/toBlock value as a number (None: a tag this module leaves to the node)."""
    if value is None or value == "latest":
        if not head:
            head.append(int(w3.eth.block_number))
        return head[0]
    if value == "earliest":
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.startswith("0x"):
        return int(value, 16)
    return None


def _wanted(value: Any) -> list[str] | None:
    if value is None:
        return None
    values = value if isinstance(value, list | tuple) else [value]
    return [hex0x(v) if not isinstance(v, str) else v.lower() for v in values]


def to_web3_log(row: LogRow) -> Any:
    """A stored log in the shape ``w3.eth.get_logs`` returns (web3's own formatter)."""
    from web3._utils.method_formatters import log_entry_formatter
    from web3.datastructures import AttributeDict

    raw = {
        "address": row.address,
        "topics": list(row.topics),
        "data": row.data,
        "blockNumber": hex(row.block_number),
        "blockHash": row.block_hash,
        "transactionHash": row.tx_hash,
        "transactionIndex": hex(row.tx_index),
        "logIndex": hex(row.log_index),
        "removed": False,
    }
    if row.block_timestamp is not None:
        raw["blockTimestamp"] = hex(row.block_timestamp)
    return AttributeDict.recursive(log_entry_formatter(raw))


def get_logs(w3: Web3, params: dict[str, Any]) -> list[Any]:
    """The logs matching ``params`` (see the module docstring)."""
    index = index_for(w3) if "blockHash" not in params else None
    if index is None:
        return list(w3.eth.get_logs(params))  # type: ignore[arg-type]
    head: list[int] = []
    start = _block_number(w3, params.get("fromBlock"), head)
    end = _block_number(w3, params.get("toBlock"), head)
    if start is None or end is None or start >= index.next_block or start > end:
        return list(w3.eth.get_logs(params))  # type: ignore[arg-type]
    address = params.get("address")
    addresses = None if address is None else [a.lower() for a in _wanted(address) or []]
    topics = [_wanted(t) for t in params.get("topics") or []]
    first = index.chain.start_block  # blocks below it were never indexed
    try:
        rows = index.store.select_logs(
            index.chain_id, max(start, first), min(end, index.next_block - 1), addresses, topics
        )
    except Exception as err:  # the database went away: the node answers alone
        _log.warning("index not used: %s", err)
        forget_store(configured_target())
        return list(w3.eth.get_logs(params))  # type: ignore[arg-type]
    out: list[Any] = []
    if start < first:
        head_part = {**params, "fromBlock": start, "toBlock": min(end, first - 1)}
        out.extend(w3.eth.get_logs(head_part))  # type: ignore[arg-type]
    out.extend(to_web3_log(r) for r in rows)
    if end >= index.next_block:
        tail = {**params, "fromBlock": index.next_block, "toBlock": end}
        out.extend(w3.eth.get_logs(tail))  # type: ignore[arg-type]
    return out


# ---------------------------------------------------------------- the portal's lookups


def topic(event: str) -> str:
    """topic0 of a shipped contract's event, by name (``"Attested"``)."""
    for key, entries in events_by_topic().items():
        if any(e["name"] == event for e in entries):
            return key
    raise KeyError(f"no shipped contract emits {event}")


def _topics(events: Sequence[str]) -> list[str]:
    return [topic(e) for e in events]


def _id(value: bytes | str) -> str:
    return hex0x(value) if not isinstance(value, str) else value.lower()


def _org_topic(org_id: int) -> str:
    return "0x" + org_id.to_bytes(32, "big").hex()


_RECORD_EVENTS = ("Attested", "BatchAnchored", "Revoked", "Mirrored", "DocumentRevoked")
_CREATED = ("Attested", "BatchAnchored")
_MESSAGE_EVENTS = ("Dispatched", "Delivered", "DeliveryFailed", "Discarded", "Retried")


def _addresses(address: str | None) -> list[str] | None:
    return None if address is None else [address.lower()]


def record_events(
    index: IndexedChain, record_id: bytes | str, notary: str | None = None
) -> list[LogRow]:
    """A record's history: its Attested / BatchAnchored, Revoked, Mirrored and the
    DocumentRevoked of a batch's documents, in chain order."""
    return index.store.select_logs(
        index.chain_id, None, index.next_block - 1, _addresses(notary),
        [_topics(_RECORD_EVENTS), [_id(record_id)]],
    )  # fmt: skip


def records_of_organisation(
    index: IndexedChain, org_id: int, limit: int = 50, notary: str | None = None
) -> list[LogRow]:
    """The newest ``limit`` records (Attested / BatchAnchored) of organisation ``org_id``."""
    return index.store.latest_by_topic(
        index.chain_id, _topics(_CREATED), 3, _org_topic(org_id), limit, _addresses(notary)
    )


def records_by_schema(
    index: IndexedChain, schema_id: int, limit: int = 50, notary: str | None = None
) -> list[LogRow]:
    """The newest ``limit`` records (Attested / BatchAnchored) under schema ``schema_id``
    (of the Notary at ``notary`` when given: another contract may emit the same event)."""
    return index.store.logs_by_schema(index.chain_id, schema_id, _CREATED, limit, notary)


def lineage(index: IndexedChain, record_id: bytes | str, depth: int = 10) -> list[tuple[str, str]]:
    """The ``Derived(parent, child)`` edges above ``record_id``, up to ``depth`` generations,
    breadth first (a record may derive from several parents)."""
    derived = [topic("Derived")]
    edges: list[tuple[str, str]] = []
    frontier = [_id(record_id)]
    seen = set(frontier)
    for _ in range(depth):
        if not frontier:
            break
        rows = index.store.select_logs(
            index.chain_id, None, index.next_block - 1, None, [derived, None, frontier]
        )
        frontier = []
        for row in rows:
            parent, child = row.topics[1], row.topics[2]
            edges.append((parent, child))
            if parent not in seen:
                seen.add(parent)
                frontier.append(parent)
    return edges


def message_events(index: IndexedChain, message_id: bytes | str) -> list[LogRow]:
    """A bus message's events on this chain (Dispatched, Delivered, DeliveryFailed,
    Discarded, Retried), in chain order."""
    return index.store.select_logs(
        index.chain_id, None, index.next_block - 1, None,
        [_topics(_MESSAGE_EVENTS), [_id(message_id)]],
    )  # fmt: skip
