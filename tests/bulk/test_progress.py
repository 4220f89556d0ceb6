"""What a run says while it works: the waiting line after a second, the bulk progress line."""

from __future__ import annotations

import asyncio
import io

from mailcheck.app.bulk_checks import BulkProgress
from mailcheck.cli.progress import progress_line, show_waits, waiting_line
from mailcheck.dns.interface import RRType
from mailcheck.dns.snapshot import RecordingResolver
from mailcheck.dns.watch import WatchedResolver
from tests.sender_world import resolver_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_waiting_line_names_the_slow_lookup(world) -> None:
    world.faults.delay = 0.3
    clock = Clock()
    watched = WatchedResolver(RecordingResolver(resolver_for(world, timeout=5)), clock)
    lookup = asyncio.ensure_future(watched.resolve("acme.example", RRType.MX))
    await asyncio.sleep(0.05)
    assert waiting_line(watched) == ""  # not yet a second
    clock.now += 3
    assert waiting_line(watched) == "waiting for acme.example MX (3 s; 1 lookup in flight)"
    await lookup
    assert waiting_line(watched) == "" and watched.oldest() is None


async def test_show_waits_writes_and_clears_the_line(world) -> None:
    world.faults.delay = 1.6
    stream = io.StringIO()
    watched = WatchedResolver(RecordingResolver(resolver_for(world, timeout=5)))
    answer = await show_waits(watched.resolve("acme.example", RRType.MX), watched, stream)
    assert answer.records
    text = stream.getvalue()
    assert "waiting for acme.example MX" in text
    assert text.endswith("\r\x1b[K")  # the line is cleared when the work is done


def test_progress_line() -> None:
    progress = BulkProgress(total=1000, done=250, started=0.0)
    progress.timeouts.add(("slow.example", RRType.MX))
    assert progress_line(progress, now=10.0) == (
        "250/1000 domains, 25.0/s, ETA 0:30, 1 lookup timed out"
    )
    assert progress_line(BulkProgress(3, started=0.0), now=1.0).startswith(
        "0/3 domains, 0.0/s, ETA ?"
    )
