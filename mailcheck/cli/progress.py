"""What a run says on stderr while it works: what it waits for, and how far a bulk run is.

Only on a terminal (the callers decide), one line rewritten in place and cleared at the end.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TextIO, TypeVar

from mailcheck.app.bulk_checks import BulkProgress
from mailcheck.dns.watch import WatchedResolver

T = TypeVar("T")
WAIT_BEFORE_TELLING = 1.0  # seconds a lookup may take before the run says it is waiting
TICK = 0.5


def waiting_line(watched: WatchedResolver) -> str:
    """``waiting for example.com MX (3 s; 2 lookups in flight)``, or "" before a second."""
    oldest = watched.oldest()
    if oldest is None or oldest[2] < WAIT_BEFORE_TELLING:
        return ""
    name, rrtype, seconds = oldest
    return (
        f"waiting for {name or '.'} {rrtype.value} ({seconds:.0f} s; "
        f"{watched.in_flight} lookup{'s' if watched.in_flight != 1 else ''} in flight)"
    )


def progress_line(progress: BulkProgress, now: float | None = None) -> str:
    """``120/1000 domains, 38.2/s, ETA 0:23, 3 lookups timed out``."""
    elapsed = max((time.monotonic() if now is None else now) - progress.started, 1e-9)
    rate = progress.done / elapsed
    left = progress.total - progress.done
    eta = f"{int(left / rate) // 60}:{int(left / rate) % 60:02d}" if rate > 0 else "?"
    timeouts = len(progress.timeouts)
    return (
        f"{progress.done}/{progress.total} domains, {rate:.1f}/s, ETA {eta}, "
        f"{timeouts} lookup{'s' if timeouts != 1 else ''} timed out"
    )


async def show_waits(work: Awaitable[T], watched: WatchedResolver, stream: TextIO) -> T:
    """Await ``work``, telling ``stream`` what it waits for whenever a lookup is slow."""
    return await _with_ticker(work, lambda: waiting_line(watched), stream)


async def show_progress(work: Awaitable[T], progress: BulkProgress, stream: TextIO) -> T:
    """Await ``work``, keeping a progress line on ``stream``."""
    return await _with_ticker(work, lambda: progress_line(progress), stream)


async def _with_ticker(work: Awaitable[T], line: Callable[[], str], stream: TextIO) -> T:
    task = asyncio.ensure_future(work)
    shown = False
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=TICK)
            text = "" if task.done() else line()
            if text or shown:
                stream.write("\r\x1b[K" + text)
                stream.flush()
                shown = bool(text)
        return task.result()
    finally:
        if shown:
            stream.write("\r\x1b[K")
            stream.flush()
        if not task.done():
            task.cancel()
