"""The connector's SQLite journal: used request ids (replay protection) and the transfer log.

Every change is one SQLite transaction (WAL, ``synchronous=FULL``), written *before* the
matching chain transaction is sent or the payload is served, so that a connector killed at any
point and restarted knows what it promised:

* ``pending``  — accepted, its on-chain log not confirmed yet (unbatched mode);
* ``queued``   — served, waiting for a batch (batched mode);
* ``batched``  — assigned to a batch root that may or may not be on chain yet;
* ``logged``   — on chain (transfer number or batch root recorded);
* ``refused``  — a check failed; the request id stays used, so it cannot be replayed.

The nonce of every request that carried a presentation is kept too (``presentation_nonces``):
a presentation names the request's nonce, and a second request signed with the same nonce (a
new request id) must not reuse it.

Restart reconciliation (:meth:`trustspace.dataspace.connector.Connector.recover`) asks the chain
whether a ``pending`` request id or a ``batched`` root was logged before sending anything, and
the contract refuses a request id or a root twice: nothing is logged twice, nothing served is
lost.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "Journal", "ReplayError"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS transfers (
    request_id   BLOB PRIMARY KEY,
    agreement_id INTEGER NOT NULL,
    consumer     TEXT NOT NULL,
    payload      BLOB,
    size         INTEGER NOT NULL DEFAULT 0,
    time         INTEGER NOT NULL,
    expiry       INTEGER NOT NULL,
    state        TEXT NOT NULL,
    transfer_no  INTEGER,
    batch_root   BLOB,
    batch_index  INTEGER,
    reason       TEXT
);
CREATE INDEX IF NOT EXISTS transfers_state ON transfers (state, agreement_id);
CREATE TABLE IF NOT EXISTS presentation_nonces (
    nonce        BLOB PRIMARY KEY,
    request_id   BLOB NOT NULL
);
"""


class ReplayError(Exception):
    """The request id was seen before."""


@dataclass(frozen=True)
class Entry:
    """One journal row."""

    request_id: bytes
    agreement_id: int
    consumer: str
    payload: bytes | None
    size: int
    time: int
    state: str
    transfer_no: int | None
    batch_root: bytes | None
    batch_index: int | None


class Journal:
    """Thread-safe SQLite journal (one connection guarded by a lock)."""

    def __init__(self, path: str | Path) -> None:
        """Open (or create) the journal at ``path`` (``:memory:`` for tests)."""
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def claim(
        self, request_id: bytes, agreement_id: int, consumer: str, time: int, expiry: int
    ) -> None:
        """Record a request id as seen (state ``pending``); :class:`ReplayError` if it was."""
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO transfers"
                    " (request_id, agreement_id, consumer, time, expiry, state)"
                    " VALUES (?, ?, ?, ?, ?, 'pending')",
                    (request_id, agreement_id, consumer, time, expiry),
                )
            except sqlite3.IntegrityError as err:
                raise ReplayError(request_id.hex()) from err

    def claim_presentation(self, nonce: bytes, request_id: bytes) -> None:
        """Record the nonce a presentation was bound to; :class:`ReplayError` if seen before."""
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO presentation_nonces (nonce, request_id) VALUES (?, ?)",
                    (nonce, request_id),
                )
            except sqlite3.IntegrityError as err:
                raise ReplayError(nonce.hex()) from err

    def refuse(self, request_id: bytes, reason: str) -> None:
        """Mark a claimed request refused (its id stays used)."""
        self._set(request_id, "refused", reason=reason)

    def prepare(self, request_id: bytes, payload: bytes, size: int, state: str) -> None:
        """Record the payload digest and size about to be logged (``pending`` or ``queued``)."""
        with self._lock:
            self._db.execute(
                "UPDATE transfers SET payload = ?, size = ?, state = ? WHERE request_id = ?",
                (payload, size, state, request_id),
            )

    def mark_logged(self, request_id: bytes, transfer_no: int | None) -> None:
        """Mark a transfer logged on chain."""
        self._set(request_id, "logged", transfer_no=transfer_no)

    def _set(self, request_id: bytes, state: str, **values: object) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._lock:
            self._db.execute(
                f"UPDATE transfers SET state = ?{', ' + sets if sets else ''} WHERE request_id = ?",
                (state, *values.values(), request_id),
            )

    def assign_batch(self, agreement_id: int, request_ids: list[bytes], root: bytes) -> None:
        """Bind queued transfers to a batch root in one transaction (before it is sent)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for index, rid in enumerate(request_ids):
                    self._db.execute(
                        "UPDATE transfers SET state = 'batched', batch_root = ?, batch_index = ?"
                        " WHERE request_id = ? AND agreement_id = ? AND state = 'queued'",
                        (root, index, rid, agreement_id),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def mark_batch_logged(self, root: bytes) -> None:
        """Mark every transfer of a batch logged."""
        with self._lock:
            self._db.execute(
                "UPDATE transfers SET state = 'logged' WHERE batch_root = ? AND state = 'batched'",
                (root,),
            )

    def entries(self, state: str | None = None, agreement_id: int | None = None) -> list[Entry]:
        """Rows, optionally of one state and agreement, in batch order then insertion order."""
        query = (
            "SELECT request_id, agreement_id, consumer, payload, size, time, state, transfer_no,"
            " batch_root, batch_index FROM transfers WHERE 1=1"
        )
        args: list[object] = []
        if state is not None:
            query += " AND state = ?"
            args.append(state)
        if agreement_id is not None:
            query += " AND agreement_id = ?"
            args.append(agreement_id)
        query += " ORDER BY batch_root, batch_index, rowid"
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
        return [Entry(*row) for row in rows]

    def count(self, state: str, agreement_id: int) -> int:
        """Number of rows of one state for one agreement."""
        with self._lock:
            (n,) = self._db.execute(
                "SELECT COUNT(*) FROM transfers WHERE state = ? AND agreement_id = ?",
                (state, agreement_id),
            ).fetchone()
        return int(n)
