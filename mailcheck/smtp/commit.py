"""Group commit for the sink's Maildir: many messages, one thread trip, two journal commits.

Kept apart from ``store`` so the durability protocol reads in one place: every message that
arrives while a batch is being made durable joins the next batch; a batch writes all files,
fsyncs all, renames all into ``new/``, then fsyncs ``new/`` once.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol


class Committable(Protocol):
    """A message waiting to be made durable (``store.Incoming``)."""

    def write_out(self) -> None:
        """Phase 1: the whole message into its tmp/ file."""

    def fsync_close(self) -> None:
        """Phase 2: fsync and close it."""

    def publish(self) -> None:
        """Phase 3: rename it into new/."""


class BatchCommitter:
    """Group commit: every message that arrives while a batch is being made durable joins the
    next batch, and a batch costs one thread trip, one journal commit and one ``new/`` fsync.

    Measured first with one fsync per message in a 32-thread pool: the event loop and the
    threads then fought over the GIL (strace: ~90 futex calls per message) and durable
    throughput of 2 KB messages was a third of a bare server's.
    """

    def __init__(self, new: Path) -> None:
        self.new = new
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sink-commit")
        self._pending: list[tuple[Committable, asyncio.Future[None]]] = []
        self._runner: asyncio.Task[None] | None = None
        self.runs = 0  # batches written, for tests and tuning

    async def commit(self, incoming: Committable) -> None:
        """Return once ``incoming`` is durable; raise its ``OSError`` otherwise."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((incoming, future))
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        await asyncio.shield(future)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                self.runs += 1
                items = [incoming for incoming, _ in batch]
                try:
                    errors = await loop.run_in_executor(
                        self._thread, _commit_batch, items, self.new
                    )
                except OSError as exc:  # the directory fsync failed: nothing is durable
                    errors = [exc] * len(batch)
                except Exception as exc:  # a bug must not leave sessions waiting forever
                    errors = [OSError(f"commit failed: {type(exc).__name__}")] * len(batch)
                for (_, future), error in zip(batch, errors, strict=True):
                    if error is None:
                        future.set_result(None)
                    else:
                        future.set_exception(error)
        finally:
            self._runner = None

    def close(self) -> None:
        """Stop the commit thread (after the last batch)."""
        self._thread.shutdown(wait=True)


def _commit_batch(items: list[Committable], new: Path) -> list[OSError | None]:
    """In the commit thread: write all, fsync all, rename all, then fsync ``new/`` once.

    Phases, not one message after the other: every fsync forces a journal commit, and file
    creation waits for a running commit (measured: ~0.6 ms per create when interleaved).
    """
    errors: list[OSError | None] = [None] * len(items)
    for step in ("write_out", "fsync_close", "publish"):
        for index, incoming in enumerate(items):
            if errors[index] is None:
                try:
                    getattr(incoming, step)()
                except OSError as exc:
                    errors[index] = exc
    if any(error is None for error in errors):
        _fsync_dir(new)
    return errors


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
