"""The relayer's progress in SQLite: what it has seen, sent and settled.

Every change is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), and a
transaction is recorded *before* it is sent, so a relayer killed at any instant
restarts from a consistent state: scans resume from the last committed block,
and transactions that may have reached a chain are reconciled from receipts.
The bus itself refuses a second delivery, so the worst a crash costs is one
transaction that reverts, never a message executed twice or lost.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA", "RelayStore", "StoredMessage", "StoredTx"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    origin INTEGER PRIMARY KEY,
    next_block INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    origin INTEGER NOT NULL,
    nonce INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    destination INTEGER NOT NULL,
    raw BLOB NOT NULL,
    block INTEGER NOT NULL,
    seen_at REAL NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    tx_hash TEXT,
    done_at REAL,
    PRIMARY KEY (origin, nonce)
);
CREATE INDEX IF NOT EXISTS messages_todo ON messages (destination, origin, state, nonce);
CREATE TABLE IF NOT EXISTS txs (
    tx_hash TEXT PRIMARY KEY,
    chain INTEGER NOT NULL,
    account_nonce INTEGER NOT NULL,
    kind TEXT NOT NULL,
    origin INTEGER NOT NULL,
    nonces TEXT NOT NULL,
    raw BLOB NOT NULL,
    created REAL NOT NULL,
    state TEXT NOT NULL
);
"""

# Message states: pending (to deliver), delivered, failed (recipient reverted; retried with
# back-off), refused (the bus will never take it, e.g. a protected recipient), foreign (for a
# chain this relayer does not serve; kept because every leaf is needed for proofs).
PENDING, DELIVERED, FAILED, REFUSED, FOREIGN = (
    "pending",
    "delivered",
    "failed",
    "refused",
    "foreign",
)


@dataclass(frozen=True)
class StoredMessage:
    """A message the relayer knows of, with its delivery state."""

    origin: int
    nonce: int
    id: bytes
    destination: int
    raw: bytes
    state: str
    attempts: int
    seen_at: float


@dataclass(frozen=True)
class StoredTx:
    """A transaction the relayer signed, kept until its receipt settles it."""

    tx_hash: str
    chain: int
    account_nonce: int
    kind: str
    origin: int
    nonces: list[int]
    raw: bytes


class RelayStore:
    """SQLite state of one relayer (one file, WAL journal).

    One connection shared by the relayer's threads (one per destination chain): every
    read and every transaction holds :attr:`lock`, so they never interleave.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.lock = threading.RLock()
        self.db = sqlite3.connect(
            self.path, isolation_level=None, timeout=30, check_same_thread=False
        )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic change: committed whole or not at all (also across SIGKILL)."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _fetch(self, sql: str, args: Sequence[object] = ()) -> list[Any]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    # ------------------------------------------------------------------ scanning

    def next_block(self, origin: int) -> int:
        rows = self._fetch("SELECT next_block FROM cursors WHERE origin = ?", (origin,))
        return int(rows[0][0]) if rows else 0

    def record_scan(
        self, origin: int, next_block: int, found: Iterable[tuple[int, bytes, int, bytes, int, str]]
    ) -> None:
        """Store messages (nonce, id, destination, raw, block, state) and the cursor atomically."""
        now = time.time()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO messages"
                " (origin, nonce, id, destination, raw, block, seen_at, state)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(origin, n, i.hex(), d, r, b, now, s) for n, i, d, r, b, s in found],
            )
            db.execute(
                "INSERT INTO cursors (origin, next_block) VALUES (?, ?)"
                " ON CONFLICT(origin) DO UPDATE SET next_block = excluded.next_block",
                (origin, next_block),
            )

    def adopt(self, serves: Callable[[bytes], bool]) -> int:
        """Make pending the foreign messages that ``serves`` (given a message's raw bytes)
        now accepts: a relayer restarted with a chain added to its configuration delivers
        what it scanned before it knew that chain. Returns how many were adopted."""
        with self.transaction() as db:
            rows = db.execute(
                "SELECT origin, nonce, raw FROM messages WHERE state = ?", (FOREIGN,)
            ).fetchall()
            adopted = [(PENDING, o, n) for o, n, raw in rows if serves(bytes(raw))]
            db.executemany("UPDATE messages SET state = ? WHERE origin = ? AND nonce = ?", adopted)
        return len(adopted)

    def leaves(self, origin: int) -> list[bytes]:
        """Every message id of ``origin`` in nonce order (the tree's leaves)."""
        rows = self._fetch(
            "SELECT nonce, id FROM messages WHERE origin = ? ORDER BY nonce", (origin,)
        )
        ids = []
        for expected, (nonce, hex_id) in enumerate(rows):
            if nonce != expected:
                break  # a gap: the tree is known only up to here
            ids.append(bytes.fromhex(hex_id))
        return ids

    # ------------------------------------------------------------------ delivery

    def _rows(self, sql: str, args: Sequence[object]) -> list[StoredMessage]:
        return [
            StoredMessage(o, n, bytes.fromhex(i), d, bytes(r), s, a, t)
            for o, n, i, d, r, s, a, t in self._fetch(sql, args)
        ]

    _COLUMNS = "origin, nonce, id, destination, raw, state, attempts, seen_at"

    def due(self, origin: int, destination: int, state: str, limit: int) -> list[StoredMessage]:
        """Messages in ``state`` whose back-off has passed, oldest first."""
        return self._rows(
            f"SELECT {self._COLUMNS} FROM messages WHERE destination = ? AND origin = ?"
            " AND state = ? AND next_attempt <= ? ORDER BY nonce LIMIT ?",
            (destination, origin, state, time.time(), limit),
        )

    def message(self, message_id: bytes) -> StoredMessage | None:
        rows = self._rows(f"SELECT {self._COLUMNS} FROM messages WHERE id = ?", (message_id.hex(),))
        return rows[0] if rows else None

    def record_tx(self, tx: StoredTx) -> None:
        """Remember a signed transaction before it is sent."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO txs VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent')",
                (tx.tx_hash, tx.chain, tx.account_nonce, tx.kind, tx.origin,
                 json.dumps(tx.nonces), tx.raw, time.time()),
            )  # fmt: skip
            db.executemany(
                "UPDATE messages SET tx_hash = ? WHERE origin = ? AND nonce = ?",
                [(tx.tx_hash, tx.origin, n) for n in tx.nonces],
            )

    def open_txs(self) -> list[StoredTx]:
        """Transactions recorded as sent whose outcome is not settled yet."""
        return [
            StoredTx(h, c, an, k, o, json.loads(ns), bytes(r))
            for h, c, an, k, o, ns, r in self._fetch(
                "SELECT tx_hash, chain, account_nonce, kind, origin, nonces, raw FROM txs"
                " WHERE state = 'sent' ORDER BY created"
            )
        ]

    def settle(
        self,
        tx_hash: str | None,
        tx_state: str,
        outcomes: dict[tuple[int, int], tuple[str, str | None]],
        backoff: dict[tuple[int, int], tuple[float, str]] | None = None,
    ) -> None:
        """Record a transaction's outcome and the messages' new states in one step.

        ``outcomes`` maps (origin, nonce) to (state, error); ``backoff`` maps
        (origin, nonce) to (next attempt time, error) for messages to try again later.
        """
        now = time.time()
        with self.transaction() as db:
            if tx_hash is not None:
                db.execute("UPDATE txs SET state = ? WHERE tx_hash = ?", (tx_state, tx_hash))
            for (origin, nonce), (state, error) in outcomes.items():
                counted = 1 if state == FAILED else 0
                db.execute(
                    "UPDATE messages SET state = ?, last_error = ?, done_at = ?,"
                    " attempts = attempts + ? WHERE origin = ? AND nonce = ?",
                    (state, error, now, counted, origin, nonce),
                )
            for (origin, nonce), (when, error) in (backoff or {}).items():
                db.execute(
                    "UPDATE messages SET attempts = attempts + 1, next_attempt = ?, last_error = ?"
                    " WHERE origin = ? AND nonce = ?",
                    (when, error, origin, nonce),
                )

    def attempts(self, origin: int, nonce: int) -> int:
        """Delivery attempts counted so far for one message (0 if unknown)."""
        rows = self._fetch(
            "SELECT attempts FROM messages WHERE origin = ? AND nonce = ?", (origin, nonce)
        )
        return int(rows[0][0]) if rows else 0

    def counts(self) -> dict[str, int]:
        """Number of messages per state."""
        return {
            str(s): int(n)
            for s, n in self._fetch("SELECT state, COUNT(*) FROM messages GROUP BY state")
        }

    def latencies(self) -> list[float]:
        """Seconds from first sight to delivery, per delivered message."""
        return [
            float(d - s)
            for s, d in self._fetch(
                "SELECT seen_at, done_at FROM messages WHERE state = 'delivered'"
            )
        ]
