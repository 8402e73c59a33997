"""The index database: SQLite (the default, embedded) or PostgreSQL, behind one interface.

Where it lives: ``$TRUSTSPACE_INDEX`` (a file path, or a ``postgresql://`` URL) when set,
else ``$TRUSTSPACE_HOME/index.sqlite`` (:func:`configured_target`).

Tables (docs/indexer.md):

* ``chains``: one row per chain id: its name, the start block, the next block to scan
  (the cursor) and the hash of its block 0 (a chain restarted from nothing has another);
* ``blocks``: hash and parent hash of the scanned blocks the indexer keeps for reorg
  detection (the last block of every step, every block with logs);
* ``logs``: every log of the chain, keyed by (chain id, block, log index), with its raw
  fields and, when a shipped contract's ABI knows its topic0, the decoded event name and
  arguments (JSON).

Every write of the follower is one transaction together with the cursor (:meth:`Store.commit_step`),
so a process killed at any moment leaves the database at a step boundary: nothing is lost
and nothing is written twice.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustspace.errors import InputError, UnreachableError
from trustspace.paths import state_home

__all__ = [
    "ENV",
    "BlockRow",
    "ChainRow",
    "LogRow",
    "Store",
    "cached_store",
    "configured_target",
    "database_exists",
    "default_path",
    "describe_target",
    "forget_store",
    "is_configured",
    "open_store",
]

#: The environment variable naming the index database.
ENV = "TRUSTSPACE_INDEX"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS chains (
        chain_id BIGINT PRIMARY KEY,
        name TEXT NOT NULL,
        start_block BIGINT NOT NULL,
        next_block BIGINT NOT NULL,
        genesis TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS blocks (
        chain_id BIGINT NOT NULL,
        number BIGINT NOT NULL,
        hash TEXT NOT NULL,
        parent_hash TEXT,
        has_logs BOOLEAN NOT NULL,
        PRIMARY KEY (chain_id, number)
    )""",
    """CREATE TABLE IF NOT EXISTS logs (
        chain_id BIGINT NOT NULL,
        block_number BIGINT NOT NULL,
        log_index BIGINT NOT NULL,
        block_hash TEXT NOT NULL,
        tx_hash TEXT NOT NULL,
        tx_index BIGINT NOT NULL,
        block_timestamp BIGINT,
        address TEXT NOT NULL,
        topic0 TEXT,
        topic1 TEXT,
        topic2 TEXT,
        topic3 TEXT,
        data TEXT NOT NULL,
        event TEXT,
        args TEXT,
        schema_id BIGINT,
        PRIMARY KEY (chain_id, block_number, log_index)
    )""",
    # eth_getLogs-style filters: by contract and event (and first indexed argument), and
    # by event and second / third indexed argument alone (Notary's orgId is topic3,
    # Derived's child topic2, a message id is topic1 of several MessageBus events).
    "CREATE INDEX IF NOT EXISTS logs_address_topics ON logs (chain_id, address, topic0, topic1)",
    "CREATE INDEX IF NOT EXISTS logs_topic1 "
    "ON logs (chain_id, topic0, topic1, block_number, log_index)",
    "CREATE INDEX IF NOT EXISTS logs_topic2 "
    "ON logs (chain_id, topic0, topic2, block_number, log_index)",
    "CREATE INDEX IF NOT EXISTS logs_topic3 "
    "ON logs (chain_id, topic0, topic3, block_number, log_index)",
    "CREATE INDEX IF NOT EXISTS logs_schema "
    "ON logs (chain_id, schema_id, event, block_number, log_index)",
)

_LOG_COLUMNS = (
    "chain_id, block_number, log_index, block_hash, tx_hash, tx_index, block_timestamp, "
    "address, topic0, topic1, topic2, topic3, data, event, args, schema_id"
)


@dataclass(frozen=True)
class ChainRow:
    """What the index knows of one chain."""

    chain_id: int
    name: str
    start_block: int
    next_block: int
    genesis: str


@dataclass(frozen=True)
class BlockRow:
    """A scanned block kept for reorg detection (hashes as 0x-hex, lower case)."""

    number: int
    hash: str
    parent_hash: str | None
    has_logs: bool


@dataclass(frozen=True)
class LogRow:
    """One stored log: raw fields as 0x-hex (address and hashes lower case), decoded if known."""

    chain_id: int
    block_number: int
    log_index: int
    block_hash: str
    tx_hash: str
    tx_index: int
    address: str
    topics: tuple[str, ...]
    data: str
    event: str | None = None
    args: dict[str, Any] | None = None
    #: The block's time, for nodes that put it in their logs (``blockTimestamp``).
    block_timestamp: int | None = None

    @property
    def schema_id(self) -> int | None:
        """The decoded ``schemaId`` argument, if the event has one."""
        if self.args is None or "schemaId" not in self.args:
            return None
        return int(self.args["schemaId"])

    def as_params(self) -> tuple[Any, ...]:
        """The values of one ``logs`` row, in column order."""
        topics = list(self.topics[:4]) + [None] * (4 - min(len(self.topics), 4))
        return (
            self.chain_id, self.block_number, self.log_index, self.block_hash, self.tx_hash,
            self.tx_index, self.block_timestamp, self.address, *topics, self.data, self.event,
            None if self.args is None else json.dumps(self.args, separators=(",", ":")),
            self.schema_id,
        )  # fmt: skip

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> LogRow:
        """A row selected as :data:`_LOG_COLUMNS`."""
        topics = tuple(t for t in row[8:12] if t is not None)
        return cls(
            chain_id=int(row[0]), block_number=int(row[1]), log_index=int(row[2]),
            block_hash=row[3], tx_hash=row[4], tx_index=int(row[5]), address=row[7],
            topics=topics, data=row[12], event=row[13],
            args=None if row[14] is None else json.loads(row[14]),
            block_timestamp=None if row[6] is None else int(row[6]),
        )  # fmt: skip


def default_path() -> Path:
    """``$TRUSTSPACE_HOME/index.sqlite``."""
    return state_home() / "index.sqlite"


def configured_target() -> str:
    """``$TRUSTSPACE_INDEX`` if set, else the default SQLite file's path."""
    env = os.environ.get(ENV, "").strip()
    return env or str(default_path())


def is_configured() -> bool:
    """True when readers should look at an index: ``$TRUSTSPACE_INDEX`` is set, or the
    default file exists."""
    return bool(os.environ.get(ENV, "").strip()) or default_path().exists()


def database_exists(target: str) -> bool:
    """False for an SQLite path where no file is yet (a URL is asked when opened)."""
    return "://" in target or os.path.lexists(target)


def _is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def describe_target(target: str) -> str:
    """The database for people: a path, or a PostgreSQL URL without its password."""
    if not _is_postgres(target):
        return target
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(target)
    if parts.password is None:
        return target
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class Store:
    """One index database. Not shared between threads: open one per thread (:func:`open_store`)."""

    def __init__(self, conn: Any, dialect: str, target: str) -> None:
        self._conn = conn
        self.dialect = dialect
        self.target = target
        self._ensure_schema()

    # ------------------------------------------------------------ plumbing

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor inside one transaction: committed on exit, rolled back on an exception."""
        if self.dialect == "sqlite":
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
        else:
            import psycopg

            self._reconnect_if_broken()
            try:
                with self._conn.transaction(), self._conn.cursor() as cur:
                    yield cur
            except psycopg.OperationalError as err:
                raise self._down(err) from err

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.dialect == "sqlite":
            return list(self._conn.execute(sql, tuple(params)).fetchall())
        import psycopg

        self._reconnect_if_broken()
        try:
            with self._conn.cursor() as cur:
                cur.execute(self._sql(sql), tuple(params))
                rows = list(cur.fetchall())
        except psycopg.OperationalError as err:
            raise self._down(err) from err
        return rows

    def _reconnect_if_broken(self) -> None:
        """A PostgreSQL server that restarted (or a lost connection) leaves the connection
        closed: connect again, so that a long-running follower goes on once it answers."""
        if not (self._conn.closed or self._conn.broken):
            return
        import psycopg

        try:
            self._conn = psycopg.connect(self.target, autocommit=True, connect_timeout=5)
        except psycopg.Error as err:
            raise self._down(err) from err

    def _down(self, err: BaseException) -> UnreachableError:
        return UnreachableError(
            f"the index database {describe_target(self.target)} does not answer: "
            f"{' '.join(str(err).split())[:160]}"
        )

    def _execute(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> None:
        cur.execute(self._sql(sql), tuple(params))

    def _executemany(self, cur: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            cur.executemany(self._sql(sql), [tuple(r) for r in rows])

    def _ensure_schema(self) -> None:
        with self.transaction() as cur:
            for statement in _SCHEMA:
                self._execute(cur, statement)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # ------------------------------------------------------------ chains

    def chains(self) -> list[ChainRow]:
        """Every indexed chain, by chain id."""
        rows = self._query(
            "SELECT chain_id, name, start_block, next_block, genesis FROM chains ORDER BY chain_id"
        )
        return [ChainRow(int(r[0]), r[1], int(r[2]), int(r[3]), r[4]) for r in rows]

    def chain(self, chain_id: int) -> ChainRow | None:
        """The row of ``chain_id``, or None."""
        return next((c for c in self.chains() if c.chain_id == chain_id), None)

    def add_chain(self, chain_id: int, name: str, start_block: int, genesis: str) -> ChainRow:
        """Register a chain to follow from ``start_block`` (replaces nothing: it must be new)."""
        with self.transaction() as cur:
            self._execute(
                cur,
                "INSERT INTO chains (chain_id, name, start_block, next_block, genesis) "
                "VALUES (?, ?, ?, ?, ?)",
                (chain_id, name, start_block, start_block, genesis),
            )
        return ChainRow(chain_id, name, start_block, start_block, genesis)

    def drop_chain(self, chain_id: int) -> None:
        """Forget everything of ``chain_id`` (one transaction)."""
        with self.transaction() as cur:
            for table in ("logs", "blocks", "chains"):
                self._execute(cur, f"DELETE FROM {table} WHERE chain_id = ?", (chain_id,))

    # ------------------------------------------------------------ writes

    def commit_step(
        self,
        chain_id: int,
        expected_next: int,
        next_block: int,
        blocks: Sequence[BlockRow],
        logs: Sequence[LogRow],
        keep_blocks: int = 256,
    ) -> None:
        """Store one step's blocks and logs and move the cursor to ``next_block``, all in one
        transaction. Refused (``InputError``) when the cursor is no longer ``expected_next``:
        two followers of one chain never both write a range."""
        with self.transaction() as cur:
            self._execute(
                cur,
                "UPDATE chains SET next_block = ? WHERE chain_id = ? AND next_block = ?",
                (next_block, chain_id, expected_next),
            )
            if cur.rowcount != 1:
                raise InputError(
                    f"chain {chain_id}: the index cursor moved under this follower (another "
                    "`trustspace index run` on the same database?): stop one of them"
                )
            self._executemany(
                cur,
                "INSERT INTO blocks (chain_id, number, hash, parent_hash, has_logs) "
                "VALUES (?, ?, ?, ?, ?)",
                [(chain_id, b.number, b.hash, b.parent_hash, b.has_logs) for b in blocks],
            )
            self._executemany(
                cur,
                f"INSERT INTO logs ({_LOG_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                [log.as_params() for log in logs],
            )
            # Blocks without logs are only needed near the head, to find a reorg's ancestor.
            self._execute(
                cur,
                "DELETE FROM blocks WHERE chain_id = ? AND number < ? AND NOT has_logs",
                (chain_id, next_block - keep_blocks),
            )

    def rewind(self, chain_id: int, ancestor: int) -> int:
        """Undo everything above block ``ancestor`` (a reorg replaced it) in one transaction and
        set the cursor to ``ancestor + 1``; returns the number of logs removed."""
        with self.transaction() as cur:
            self._execute(
                cur,
                "DELETE FROM logs WHERE chain_id = ? AND block_number > ?",
                (chain_id, ancestor),
            )
            removed = int(cur.rowcount)
            self._execute(
                cur, "DELETE FROM blocks WHERE chain_id = ? AND number > ?", (chain_id, ancestor)
            )
            self._execute(
                cur,
                "UPDATE chains SET next_block = ? WHERE chain_id = ? AND next_block > ?",
                (ancestor + 1, chain_id, ancestor + 1),
            )
        return removed

    # ------------------------------------------------------------ reads

    def block(self, chain_id: int, number: int) -> BlockRow | None:
        """The stored block ``number``, or None."""
        rows = self._query(
            "SELECT number, hash, parent_hash, has_logs FROM blocks "
            "WHERE chain_id = ? AND number = ?",
            (chain_id, number),
        )
        return BlockRow(int(rows[0][0]), rows[0][1], rows[0][2], bool(rows[0][3])) if rows else None

    def blocks_below(self, chain_id: int, number: int, limit: int = 64) -> list[BlockRow]:
        """Stored blocks at or below ``number``, highest first."""
        rows = self._query(
            "SELECT number, hash, parent_hash, has_logs FROM blocks "
            "WHERE chain_id = ? AND number <= ? ORDER BY number DESC LIMIT ?",
            (chain_id, number, limit),
        )
        return [BlockRow(int(r[0]), r[1], r[2], bool(r[3])) for r in rows]

    def log_count(self, chain_id: int) -> int:
        """How many logs of ``chain_id`` the index holds."""
        return int(self._query("SELECT COUNT(*) FROM logs WHERE chain_id = ?", (chain_id,))[0][0])

    def select_logs(
        self,
        chain_id: int,
        from_block: int | None,
        to_block: int | None,
        addresses: Sequence[str] | None = None,
        topics: Sequence[Sequence[str] | None] = (),
        limit: int | None = None,
        descending: bool = False,
    ) -> list[LogRow]:
        """Logs in blocks [from_block, to_block] (None: unbounded) matching ``addresses``
        (lower-case hex, any of) and ``topics`` (per position: None for any, else any of the
        lower-case hex values), in chain order (or reversed)."""
        # SQLite plans without statistics and prefers the primary key whenever it yields the
        # ORDER BY, scanning the whole chain for one record: with a selective filter (an
        # address or an indexed argument) the block terms are written so that only the
        # filter's index can serve them (unary +, ordering by an expression).
        selective = addresses is not None or any(t is not None for t in topics[1:4])
        plain = self.dialect == "sqlite" and selective
        column = "+block_number" if plain else "block_number"
        where = ["chain_id = ?"]
        params: list[Any] = [chain_id]
        if from_block is not None:
            where.append(f"{column} >= ?")
            params.append(from_block)
        if to_block is not None:
            where.append(f"{column} <= ?")
            params.append(to_block)
        if addresses is not None:
            where.append(f"address IN ({', '.join('?' * len(addresses))})")
            params.extend(addresses)
        for position, wanted in enumerate(topics[:4]):
            if wanted is None:
                continue
            where.append(f"topic{position} IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
        order = "DESC" if descending else "ASC"
        offset = " + 0" if plain else ""
        sql = (
            f"SELECT {_LOG_COLUMNS} FROM logs WHERE {' AND '.join(where)} "
            f"ORDER BY block_number{offset} {order}, log_index{offset} {order}"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [LogRow.from_row(r) for r in self._query(sql, params)]

    def latest_by_topic(
        self,
        chain_id: int,
        topic0s: Sequence[str],
        position: int,
        value: str,
        limit: int,
        addresses: Sequence[str] | None = None,
    ) -> list[LogRow]:
        """The newest ``limit`` logs whose topic0 is one of ``topic0s`` and whose topic at
        ``position`` (1-3) is ``value``, newest first: one query per topic0, each served in
        order by the ``(chain_id, topic0, topicN, block_number, log_index)`` index, merged."""
        if position not in (1, 2, 3):
            raise ValueError("position is 1, 2 or 3")
        hint = f" INDEXED BY logs_topic{position}" if self.dialect == "sqlite" else ""
        where = f"address IN ({', '.join('?' * len(addresses))}) AND " if addresses else ""
        rows: list[LogRow] = []
        for topic0 in topic0s:
            sql = (
                f"SELECT {_LOG_COLUMNS} FROM logs{hint} WHERE {where}chain_id = ? AND topic0 = ? "
                f"AND topic{position} = ? ORDER BY block_number DESC, log_index DESC LIMIT ?"
            )
            found = self._query(sql, (*(addresses or ()), chain_id, topic0, value, limit))
            rows.extend(LogRow.from_row(r) for r in found)
        rows.sort(key=lambda r: (r.block_number, r.log_index), reverse=True)
        return rows[:limit]

    def logs_by_schema(
        self,
        chain_id: int,
        schema_id: int,
        events: Sequence[str],
        limit: int = 50,
        address: str | None = None,
    ) -> list[LogRow]:
        """Logs whose decoded ``schemaId`` is ``schema_id`` and whose event is one of
        ``events`` (emitted by ``address`` when given), newest first (one query per event,
        merged)."""
        rows: list[LogRow] = []
        by_address = "" if address is None else "AND address = ? "
        for event in events:
            sql = (
                f"SELECT {_LOG_COLUMNS} FROM logs WHERE chain_id = ? AND schema_id = ? "
                f"AND event = ? {by_address}ORDER BY block_number DESC, log_index DESC LIMIT ?"
            )
            args: tuple[Any, ...] = (chain_id, schema_id, event)
            args += (limit,) if address is None else (address.lower(), limit)
            rows.extend(LogRow.from_row(r) for r in self._query(sql, args))
        rows.sort(key=lambda r: (r.block_number, r.log_index), reverse=True)
        return rows[:limit]


_LOCAL = threading.local()


#: libpq's words for a connection refused because of the setting (the server answered, or
#: the URL names no usable port): bad input, where every other failure is a server that does
#: not answer.
_SETTING_REFUSALS = (
    "authentication failed",
    "no password supplied",
    "does not exist",
    "invalid integer value",
    "invalid port number",
    "not permitted to log in",
    "no pg_hba.conf entry",
)


def open_store(target: str | None = None) -> Store:
    """Open (creating the schema if needed) the index at ``target`` (default:
    :func:`configured_target`). ``InputError`` for a bad target, ``UnreachableError`` when a
    PostgreSQL server does not answer."""
    target = target or configured_target()
    if _is_postgres(target):
        import psycopg

        try:
            conn = psycopg.connect(target, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as err:
            first = " ".join(str(err).split())[:200]
            if any(refusal in first for refusal in _SETTING_REFUSALS):
                # The server (or libpq) answered: the setting is wrong, not the server down.
                raise InputError(
                    f"the index database {describe_target(target)} refused the connection: "
                    f"{first}; correct the user, password, port or database in {ENV}"
                ) from err
            raise UnreachableError(
                f"cannot reach the index database {describe_target(target)}: {first}; is the "
                f"PostgreSQL server running, and does {ENV} name it right?"
            ) from err
        except psycopg.ProgrammingError as err:
            raise InputError(
                f"{ENV}={describe_target(target)} is not a usable PostgreSQL URL ({err}): "
                "give postgresql://user:password@host:port/database"
            ) from err
        return Store(conn, "postgresql", target)
    if "://" in target:
        raise InputError(
            f"{ENV}={describe_target(target)}: unknown database kind; give a file path "
            "(SQLite) or a postgresql:// URL"
        )
    path = Path(target)
    if path.is_dir():
        raise InputError(f"{ENV}={target} is a folder: give the path of an SQLite file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lite = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        lite.execute("PRAGMA journal_mode=WAL")
        lite.execute("PRAGMA synchronous=NORMAL")
        return Store(lite, "sqlite", str(path))
    except sqlite3.DatabaseError as err:
        raise InputError(
            f"{path} is not an SQLite index database ({err}): point {ENV} at another file"
        ) from err
    except OSError as err:
        why = f"{err.strerror}: {err.filename}" if err.strerror and err.filename else str(err)
        raise InputError(
            f"cannot open the index database {path} ({why}): point {ENV} at a file in a "
            "folder this user can write"
        ) from err


def cached_store(target: str) -> Store:
    """One open store per target and thread, for readers that ask often (``get_logs``)."""
    stores: dict[tuple[int, str], Store] = getattr(_LOCAL, "stores", None) or {}
    _LOCAL.stores = stores
    key = (os.getpid(), target)
    if key not in stores:
        stores[key] = open_store(target)
    return stores[key]


def forget_store(target: str) -> None:
    """Close and drop this thread's cached store of ``target`` (after a failure: a PostgreSQL
    server that restarted leaves a broken connection behind)."""
    stores: dict[tuple[int, str], Store] = getattr(_LOCAL, "stores", None) or {}
    store = stores.pop((os.getpid(), target), None)
    if store is not None:
        with suppress(Exception):  # already broken: nothing more to release
            store.close()
