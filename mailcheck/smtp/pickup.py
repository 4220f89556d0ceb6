"""Analysis as a consumer of the durable store: take stored messages that have no analysis
yet from the index, oldest first and a batch at a time, analyse them, write the results back.

The sessions never wait for it and never hand it anything but a wake-up: the backlog is the
set of index rows without an analysis (on disk, found through a partial index), so it costs
no memory, survives a restart (the first pass starts from the oldest row) and is what
``sink list/show/report`` show as not analysed yet. During a burst of mail it waits (see
``BUSY``) and catches up when the burst ends. ``Pickup`` runs in the analyser process
(``smtp.analyser``, the sink's default) or, for tests and embedding, on the sink's own loop
(``InlineAnalysis``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mailcheck.base.errors import SmtpError
from mailcheck.dns.interface import Resolver
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.smtp.analysis import SCHEMA, analyse_one
from mailcheck.smtp.index import Index, index_path
from mailcheck.smtp.store import find_file

log = logging.getLogger(__name__)
BATCH = 64  # messages per trip to a worker: one round trip and one transaction per batch
POLL = 1.0  # seconds between looks at the index when no wake-up came
RETRY = 5.0  # seconds before trying again after the index failed
# Under a burst (more wake-ups a second than this) analysis waits, up to MAX_LAG seconds at a
# time: sharing the CPU, the disk and the index with the sessions cost them a third of their
# throughput even with the workers on idle CPU; the backlog is on disk and catches up after.
BUSY = 50
MAX_LAG = 30.0
BatchAnalyse = Callable[[list[Path]], Awaitable[list[dict[str, Any]]]]
Report = Callable[[list[dict[str, Any]]], None]
GONE = {"schema": SCHEMA, "skipped": "the message file is gone"}


class Pickup:
    """``consumers`` loops, each taking the next ``batch`` unanalysed rows (one cursor, so no
    row is taken twice) and recording their results in one transaction. Rows with an id above
    ``report_after`` (stored by this run) go to ``report`` with their analysis."""

    def __init__(
        self,
        root: Path,
        index: Index,
        analyse: BatchAnalyse,
        *,
        consumers: int = 1,
        report: Report | None = None,
        report_after: int = 0,
        batch: int = BATCH,
    ) -> None:
        self.root, self.index, self.analyse = root, index, analyse
        self.consumers, self.batch = consumers, batch
        self.report, self.report_after = report, report_after
        self._cursor = 0
        self._taken = self._reported = 0  # batches taken, and reported in that order
        self._finished: dict[int, list[dict[str, Any]]] = {}
        self._taking = asyncio.Lock()
        self._wake = asyncio.Event()
        self._wakes: deque[float] = deque(maxlen=BUSY)  # when the last wake-ups came
        self._tasks: list[asyncio.Task[None]] = []
        self.analysed = 0  # by this run

    def start(self) -> None:
        """Start the consumers (they first take what earlier runs left unanalysed)."""
        self._tasks = [asyncio.ensure_future(self._consume()) for _ in range(self.consumers)]

    def wake(self) -> None:
        """New messages were stored: look now instead of at the next poll."""
        self._wakes.append(time.monotonic())
        self._wake.set()

    def _busy(self) -> bool:
        """``BUSY`` wake-ups within the last second: the sessions are in a burst."""
        full = len(self._wakes) == BUSY
        return full and time.monotonic() - self._wakes[0] < 1.0

    async def _behind_a_burst(self) -> None:
        """Wait (at most ``MAX_LAG`` seconds) while the sessions are busy."""
        started = time.monotonic()
        while self._busy() and time.monotonic() - started < MAX_LAG:
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        """Stop at once: batches in flight are not recorded (analysed at the next start)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _take(self) -> tuple[int, list[dict[str, Any]]]:
        async with self._taking:
            rows = await self.index.pending(self._cursor, self.batch)
            if not rows:
                return -1, rows
            self._cursor, self._taken = rows[-1]["id"], self._taken + 1
            return self._taken - 1, rows

    async def _consume(self) -> None:
        while True:
            self._wake.clear()  # before looking: a wake-up during the look is kept
            try:
                number, rows = await self._take()
            except SmtpError as exc:
                log.error("analysis: %s", exc)
                await asyncio.sleep(RETRY)
                continue
            if rows:
                await self._one_batch(number, rows)
                await self._behind_a_burst()
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), POLL)
            except TimeoutError:
                pass

    async def _one_batch(self, number: int, rows: list[dict[str, Any]]) -> None:
        paths = [find_file(self.root, row["key"]) for row in rows]
        present = [path for path in paths if path is not None]
        try:
            found = iter(await self.analyse(present) if present else [])
        except Exception as exc:  # best effort: the message is safe already
            # the type only: this process's log reaches the terminal unescaped
            log.warning("analysis of %d message(s) failed: %s", len(present), type(exc).__name__)
            failed = {"schema": SCHEMA, "error": f"analysis failed: {type(exc).__name__}"}
            found = iter([failed] * len(present))
        pairs = zip(rows, paths, strict=True)
        done = [(row, GONE if path is None else next(found)) for row, path in pairs]
        try:
            await self.index.record([(row["id"], result) for row, result in done])
        except SmtpError as exc:  # the rows stay unanalysed: taken again at the next start
            log.error("analysis: %s", exc)
            done = []
        self.analysed += len(done)
        self._in_order(number, [{**row, "analysis": result} for row, result in done])

    def _in_order(self, number: int, rows: list[dict[str, Any]]) -> None:
        """Report batches in the order they were taken (the order messages were stored)."""
        self._finished[number] = [row for row in rows if row["id"] > self.report_after]
        while self._reported in self._finished:
            mine = self._finished.pop(self._reported)
            self._reported += 1
            if mine and self.report is not None:
                self.report(mine)


class InlineAnalysis:
    """Analysis on the sink's own event loop (tests, embedding with a given resolver); the
    sink's default is ``backlog.AnalyserProcess``, which runs the same ``Pickup`` in a process
    of its own."""

    def __init__(
        self, resolvers: Callable[[], Resolver], profile: SenderProfile | None = None
    ) -> None:
        self.resolvers, self.profile = resolvers, profile
        self._pickup: Pickup | None = None
        self._index: Index | None = None

    async def start(self, maildir: Path, report: Report, report_after: int) -> None:
        """Open the index and start taking messages."""
        self._index = Index(index_path(maildir))
        await self._index.open()
        pickup = Pickup(
            maildir, self._index, self._analyse, report=report, report_after=report_after
        )
        pickup.start()
        self._pickup = pickup

    async def _analyse(self, paths: list[Path]) -> list[dict[str, Any]]:
        resolver = self.resolvers()
        return list(await asyncio.gather(*(analyse_one(p, resolver, self.profile) for p in paths)))

    def wake(self) -> None:
        """See ``Pickup.wake``."""
        if self._pickup is not None:
            self._pickup.wake()

    async def stop(self, timeout: float) -> None:
        """Stop taking messages and close the index."""
        if self._pickup is not None:
            await self._pickup.stop()
        if self._index is not None:
            await asyncio.wait_for(self._index.close(), timeout=max(timeout, 30.0))
