"""The SQLite index of a sink's Maildir (WAL): envelope, client, TLS, size, times, analysis.

The Maildir is the truth and the index is derived from it: every stored file carries its
envelope (see ``store``), so ``reconcile`` can rebuild missing rows after a crash. A message's
row is inserted by the storage writer process (``writer``) in the same batch that makes its
file durable; its analysis is filled in later by the analyser (``pickup``), which finds the
rows still without one through a partial index. ``Index`` serves the analyser: reads and
group-committed writes through one thread (all writes queued while a transaction runs go
into the next one).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailcheck.base.errors import SmtpError
from mailcheck.smtp.store import Maildir, Stored, read_stored

INDEX_NAME = ".mailcheck-index.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE NOT NULL,
    mail_from TEXT NOT NULL,
    rcpt_to TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    client_port INTEGER NOT NULL,
    helo TEXT NOT NULL,
    tls TEXT NOT NULL,
    proxied_from TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    received_at REAL NOT NULL,
    stored_at REAL NOT NULL,
    analysis TEXT
);
CREATE INDEX IF NOT EXISTS messages_unanalysed ON messages (id) WHERE analysis IS NULL;
"""
INSERT_ROW = (
    "INSERT OR IGNORE INTO messages (key, mail_from, rcpt_to, client_ip, client_port, helo, tls,"
    " proxied_from, size, sha256, received_at, stored_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)
_COLUMNS = (
    "id",
    "key",
    "mail_from",
    "rcpt_to",
    "client_ip",
    "client_port",
    "helo",
    "tls",
    "proxied_from",
    "size",
    "sha256",
    "received_at",
    "stored_at",
    "analysis",
)

Op = Callable[[sqlite3.Connection], object]
_COUNT_UNANALYSED = "SELECT count(*) FROM messages WHERE analysis IS NULL"


def index_path(maildir: Path) -> Path:
    """Where a Maildir's index lives."""
    return maildir / INDEX_NAME


def connect(path: Path) -> sqlite3.Connection:
    """Open (and create) the index with WAL; NORMAL sync survives a process crash in WAL mode."""
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
    except sqlite3.Error as exc:
        raise SmtpError(f"{path}: cannot open the sink index: {exc}") from exc
    return conn


def row_values(stored: Stored) -> tuple[Any, ...]:
    """The ``INSERT_ROW`` parameters of one stored message."""
    env = stored.envelope
    return (
        stored.key,
        env.mail_from,
        json.dumps(list(env.rcpt_to)),
        env.client_ip,
        env.client_port,
        env.helo,
        env.tls,
        env.proxied_from,
        stored.size,
        stored.sha256,
        env.received_at,
        stored.stored_at,
    )


def stored_row(stored: Stored) -> dict[str, Any]:
    """A just-stored message as an index row (no id or analysis yet; for the terminal line)."""
    env = stored.envelope
    return {
        "key": stored.key,
        "received_at": env.received_at,
        "client_ip": env.client_ip,
        "mail_from": env.mail_from,
        "rcpt_to": list(env.rcpt_to),
        "size": stored.size,
        "analysis": None,
    }


class Index:
    """The analyser's connection: reads and group-committed writes, in one thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sink-index")
        self._conn: sqlite3.Connection | None = None
        self._pending: list[tuple[Op, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Open the database in the writer thread."""
        loop = asyncio.get_running_loop()
        self._conn = await loop.run_in_executor(self._executor, self._connect)

    def _connect(self) -> sqlite3.Connection:
        conn = connect(self.path)
        # The connection is created and used only in the writer thread.
        return conn

    async def pending(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` rows with an id above ``after`` and no analysis yet, oldest first."""
        sql = f"{_SELECT} WHERE analysis IS NULL AND id > ? ORDER BY id LIMIT ?"
        rows = await self._read(lambda conn: conn.execute(sql, (after, limit)).fetchall())
        return [_as_dict(row) for row in rows]

    async def unanalysed(self) -> int:
        """How many messages have no analysis yet."""
        return int(await self._read(lambda conn: conn.execute(_COUNT_UNANALYSED).fetchone()[0]))

    async def _read(self, op: Callable[[sqlite3.Connection], Any]) -> Any:
        def run() -> Any:
            assert self._conn is not None, "Index.open() first"
            return op(self._conn)

        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, run)
        except sqlite3.Error as exc:
            raise SmtpError(f"{self.path}: index read: {exc}") from exc

    async def record(self, results: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Store the analysis of each message (by id), all in one transaction."""
        params = [(json.dumps(result, sort_keys=True), row_id) for row_id, result in results]
        sql = "UPDATE messages SET analysis = ? WHERE id = ?"
        await self._submit(lambda conn: conn.executemany(sql, params))

    async def _submit(self, op: Op) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((op, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_batches())
        await asyncio.shield(future)

    async def _write_batches(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await loop.run_in_executor(self._executor, self._run_batch, batch)
                except sqlite3.Error as exc:
                    for _, future in batch:
                        future.set_exception(SmtpError(f"{self.path}: index write: {exc}"))
                else:
                    for _, future in batch:
                        future.set_result(None)
        finally:
            self._writer = None

    def _run_batch(self, batch: Sequence[tuple[Op, asyncio.Future[None]]]) -> None:
        conn = self._conn
        assert conn is not None, "Index.open() first"
        conn.execute("BEGIN IMMEDIATE")
        try:
            for op, _ in batch:
                op(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    async def close(self) -> None:
        """Wait for queued writes, then close the database and the thread."""
        while self._writer is not None:
            await asyncio.wait_for(asyncio.shield(self._writer), timeout=30)
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        self._executor.shutdown(wait=True)


@dataclass
class Reconciled:
    """What the startup consistency check found and did."""

    indexed: list[str] = field(default_factory=list)  # files found without a row: row added
    dropped: list[str] = field(default_factory=list)  # rows without a file: row removed
    damaged: list[str] = field(default_factory=list)  # files we cannot parse: left alone
    skipped: list[str] = field(default_factory=list)  # not regular files (dirs, FIFOs): left alone
    tmp_removed: int = 0  # unacknowledged partial files removed from tmp/

    @property
    def clean(self) -> bool:
        """True when index and Maildir already agreed."""
        return not (self.indexed or self.dropped or self.damaged or self.skipped)


def reconcile(maildir: Maildir, path: Path) -> Reconciled:
    """Make the index agree with the Maildir (run before accepting connections)."""
    result = Reconciled()
    result.tmp_removed = maildir.clean_tmp(result.skipped)
    files = {p.name.partition(":")[0]: p for p in maildir.iter_new(result.skipped)}
    conn = connect(path)
    try:
        known = {row[0] for row in conn.execute("SELECT key FROM messages")}
        conn.execute("BEGIN")
        for key in sorted(files.keys() - known):
            _index_file(conn, key, files[key], result)
        for key in sorted(known - files.keys()):
            conn.execute("DELETE FROM messages WHERE key = ?", (key,))
            result.dropped.append(key)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return result


def _index_file(conn: sqlite3.Connection, key: str, file: Path, result: Reconciled) -> None:
    try:
        envelope, message = read_stored(file)
    except (OSError, ValueError):
        result.damaged.append(key)
        return
    stored = Stored(key, envelope, len(message), hashlib.sha256(message).hexdigest(), 0.0)
    conn.execute(INSERT_ROW, row_values(stored))
    result.indexed.append(key)


def _query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Rows of one read-only query on its own connection (the CLI, start and stop)."""
    conn = connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM messages"


def list_messages(path: Path, limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` messages, newest first (read-only use by the CLI)."""
    return [_as_dict(row) for row in _query(path, f"{_SELECT} ORDER BY id DESC LIMIT ?", (limit,))]


def get_message(path: Path, message_id: int) -> dict[str, Any] | None:
    """One message by id, or None."""
    rows = _query(path, f"{_SELECT} WHERE id = ?", (message_id,))
    return _as_dict(rows[0]) if rows else None


def count_unanalysed(path: Path) -> int:
    """How many stored messages have no analysis yet (they are analysed at the next start)."""
    return int(_query(path, _COUNT_UNANALYSED)[0][0])


def last_id(path: Path) -> int:
    """The highest message id so far (0 for an empty index)."""
    return int(_query(path, "SELECT coalesce(max(id), 0) FROM messages")[0][0])


def _as_dict(row: Sequence[Any]) -> dict[str, Any]:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["rcpt_to"] = json.loads(data["rcpt_to"])
    data["analysis"] = json.loads(data["analysis"]) if data["analysis"] else None
    return data
