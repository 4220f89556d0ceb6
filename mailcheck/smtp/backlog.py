"""The sink's analysis queue: stored messages wait here (a key each, never a task or the
message) until the analyser takes them; what is left at stop stays unanalysed in the index
and is queued again at the next start."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mailcheck.smtp.index import Index
from mailcheck.smtp.store import Maildir, Stored

log = logging.getLogger(__name__)
Analyzer = Callable[[Path, Stored | None], Awaitable[dict[str, Any]]]
# Messages handed to the analyser at once: enough to fill its batches (DNS waits overlap).
ANALYSIS_CONCURRENCY = 64


class AnalysisQueue:
    """Feeds stored messages to the analyser and records each result in the index."""

    def __init__(
        self,
        maildir: Maildir,
        index: Index,
        analyzer: Analyzer | None,
        done: Callable[[Stored, dict[str, Any]], None],
    ) -> None:
        self.maildir, self.index, self.analyzer, self.done = maildir, index, analyzer, done
        self._queue: deque[tuple[str, Stored | None]] = deque()
        self._wake = asyncio.Event()
        self._consumers: list[asyncio.Task[None]] = []
        self._busy = 0

    def put(self, key: str, stored: Stored | None = None) -> None:
        """Analyse this stored message when the analyser is free (``stored``: for the terminal
        line; None for messages left unanalysed by an earlier run)."""
        self._queue.append((key, stored))
        self._wake.set()
        if not self._consumers:
            self._consumers = [
                asyncio.ensure_future(self._consume()) for _ in range(ANALYSIS_CONCURRENCY)
            ]

    async def _consume(self) -> None:
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            key, stored = self._queue.popleft()
            self._busy += 1
            try:
                await self._analyse(key, stored)
            finally:
                self._busy -= 1

    async def _analyse(self, key: str, stored: Stored | None) -> None:
        assert self.analyzer is not None
        path = self.maildir.find(key)
        if path is None:
            return
        try:
            result = await asyncio.wait_for(self.analyzer(path, stored), timeout=120)
        except Exception as exc:  # analysis is best effort; the message is safe already
            log.warning("analysis of %s failed: %s", key, exc)
            result = {"error": f"analysis failed: {type(exc).__name__}"}
        await self.index.set_analysis(key, result)
        if stored is not None:
            self.done(stored, result)

    @property
    def backlog(self) -> int:
        """Messages queued or being analysed."""
        return len(self._queue) + self._busy

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) until every queued analysis is done."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.backlog and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)

    async def stop(self, timeout: float) -> None:
        """Let analyses in flight finish (bounded), drop the queue (the rows stay unanalysed
        and are queued again at the next start), stop the workers."""
        self._queue.clear()
        await self.drain(timeout)
        for task in self._consumers:
            task.cancel()
        await asyncio.gather(*self._consumers, return_exceptions=True)
        self._consumers = []
        close = getattr(self.analyzer, "close", None)
        if close is not None:
            await close()
