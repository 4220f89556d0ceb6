"""The sink's storage writer process: makes batches of messages durable, then acknowledges.

Run as ``python -m mailcheck.smtp.writer MAILDIR PARENT_PID`` by ``commit.ChildProcess``.
A batch comes in on stdin as one frame; for each message the writer creates ``tmp/<key>``
(or takes the file the sink spilled there), writes all, fsyncs all, renames all into ``new/``,
fsyncs ``new/`` once, inserts the index rows in one transaction, and only then answers with
one frame (an error text or ``None`` per message). The sink answers 250 only after that.

Why a process and not a thread: the storage work is many short system calls, and each one
dropped and retook the GIL while the event loop ran (measured: ~23 futex waits per message,
2 KB throughput less than half of a bare server's). Here the event loop's process does only
protocol work. The writer dies with the sink (``PR_SET_PDEATHSIG``), and it holds its own lock
so a new sink's writer waits until a killed sink's writer is gone.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from mailcheck.base.processes import die_with_parent
from mailcheck.smtp.commit import HEADER, READY, encode
from mailcheck.smtp.index import INDEX_NAME, INSERT_ROW, connect, row_values
from mailcheck.smtp.store import Stored

LOCK_NAME = ".mailcheck-writer.lock"
LOCK_WAIT = 10.0
# (key, the whole file when the sink kept it in memory or None when it is in tmp/ already, row)
Item = tuple[str, bytes | None, Stored]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            return None  # the sink is gone
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> Any:
    """The next frame from the sink (see ``commit.encode``), or None once it is gone."""
    header = _read_exactly(fd, HEADER.size)
    if header is None:
        return None
    body = _read_exactly(fd, HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to a blocking file descriptor."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _lock(maildir: Path) -> int:
    """Wait (bounded) until no other writer, e.g. a killed sink's, still works here."""
    fd = os.open(maildir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class Writer:
    """The blocking side: one batch at a time."""

    def __init__(self, maildir: Path) -> None:
        self.tmp, self.new = maildir / "tmp", maildir / "new"
        self.conn = connect(maildir / INDEX_NAME)

    def batch(self, items: list[Item]) -> list[str | None]:
        """Write all, fsync all, rename all, fsync ``new/``, index all; an error per item."""
        errors: list[str | None] = [None] * len(items)
        fds = [self._write(item, errors, n) for n, item in enumerate(items)]
        for n, fd in enumerate(fds):
            if fd >= 0:
                self._step(errors, n, os.fsync, fd)
                os.close(fd)
        for n, (key, _, _) in enumerate(items):
            if errors[n] is None:
                self._step(errors, n, os.rename, self.tmp / key, self.new / key)
        done = [n for n, error in enumerate(errors) if error is None]
        if done:
            self._fsync_new_and_index([items[n][2] for n in done], errors, done)
        return errors

    def _write(self, item: Item, errors: list[str | None], n: int) -> int:
        key, data, _ = item
        path = self.tmp / key
        try:
            if data is None:
                return os.open(path, os.O_RDONLY)  # spilled: the sink wrote and closed it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            errors[n] = exc.strerror or str(exc)
            return -1
        if not self._step(errors, n, write_all, fd, data):
            os.close(fd)
            return -1
        return fd

    @staticmethod
    def _step(errors: list[str | None], n: int, call: Any, *args: Any) -> bool:
        try:
            call(*args)
        except OSError as exc:
            errors[n] = exc.strerror or str(exc)
            return False
        return True

    def _fsync_new_and_index(
        self, rows: list[Stored], errors: list[str | None], done: list[int]
    ) -> None:
        try:
            fd = os.open(self.new, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany(INSERT_ROW, [row_values(stored) for stored in rows])
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        except (OSError, sqlite3.Error) as exc:  # in new/ maybe, but not acknowledged
            for n in done:
                errors[n] = f"cannot make durable: {exc}"


def main(argv: list[str]) -> int:
    """Serve batches from stdin until it closes."""
    maildir, parent = Path(argv[0]), int(argv[1])
    # Ctrl-C in a terminal (or a service manager's SIGTERM) reaches the whole process group:
    # the sink shuts down cleanly and closes our stdin after its last batch; dying here first
    # would fail that batch. A killed sink kills us (die_with_parent).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    die_with_parent(parent)
    _lock(maildir)
    writer = Writer(maildir)
    write_all(1, encode(READY))
    while (items := read_frame(0)) is not None:
        write_all(1, encode(writer.batch(items)))
    writer.conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
