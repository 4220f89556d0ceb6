"""The 500,000-folded-line message (issue 15 item 8), for ``sink_throughput.py --hostile``.

Prints how long ``analyze`` takes on it (target < 2 s) and, while a sink with analysis on
analyses it, the slowest of another session's RSET replies (target < 100 ms).
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LINES = 500_000


def message() -> bytes:
    """A DKIM-signed message (the sink test key) under 500,000 folded header lines."""
    sys.path.insert(0, str(ROOT))
    from mailcheck.smtp.message import DkimKey, build_message

    key = DkimKey.load("sinktest.example", "sel1", ROOT / "tests/data/sink/dkim-sinktest.pem")
    signed = build_message("a@sinktest.example", "b@company.example", dkim_key=key).data
    return b"X-Junk: a" + b"\r\n b" * LINES + b"\r\n" + signed


async def analyze_seconds(data: bytes, dns_port: int) -> float:
    """Wall time of the ``analyze`` core on ``data`` with live DNS to NSD."""
    from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
    from mailcheck.message import MessageInput, OrgContext, analyze_to_report

    resolver = LiveResolver(ResolverConfig((Nameserver("127.0.0.1", dns_port),), 2.0))
    started = time.perf_counter()
    await analyze_to_report(MessageInput("folded.eml", data), resolver, OrgContext())
    return time.perf_counter() - started


async def _command(reader: Any, writer: Any, line: bytes) -> bytes:
    writer.write(line + b"\r\n")
    reply = await asyncio.wait_for(reader.readline(), 60)
    while reply[3:4] == b"-":
        reply = await asyncio.wait_for(reader.readline(), 60)
    return reply


async def rset_while_analysed(port: int, data: bytes, index: Path) -> tuple[float, int, float]:
    """Send ``data``, then RSET on another session every 10 ms until it is analysed: the
    slowest RSET reply (s), how many were sent, and how long the analysis took (s)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    for line in (b"EHLO bench", b"MAIL FROM:<a@sinktest.example>", b"RCPT TO:<b@x.example>"):
        await _command(reader, writer, line)
    await _command(reader, writer, b"DATA")
    writer.write(data.replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n")
    assert (await asyncio.wait_for(reader.readline(), 120)).startswith(b"250")
    stored = time.perf_counter()
    other_r, other_w = await asyncio.open_connection("127.0.0.1", port)
    await other_r.readline()
    await _command(other_r, other_w, b"EHLO other")
    slowest, count = 0.0, 0
    while time.perf_counter() - stored < 120 and not _analysed(index):
        if count and count % 90 == 0:  # the sink cuts off 100 commands without a message
            other_w.close()
            other_r, other_w = await asyncio.open_connection("127.0.0.1", port)
            await other_r.readline()
            await _command(other_r, other_w, b"EHLO other")
        started = time.perf_counter()
        assert (await _command(other_r, other_w, b"RSET")).startswith(b"250")
        slowest, count = max(slowest, time.perf_counter() - started), count + 1
        await asyncio.sleep(0.01)
    took = time.perf_counter() - stored
    for w in (writer, other_w):
        w.close()
    return slowest, count, took


def _analysed(index: Path) -> bool:
    with sqlite3.connect(index, timeout=30) as conn:
        return conn.execute("SELECT analysis IS NOT NULL FROM messages").fetchone()[0] == 1


def hostile(start: Callable[..., Any], stop: Callable[..., None], folder: Path) -> None:
    """Both measurements; prints their figures."""
    import sink_throughput

    data = message()
    seconds = asyncio.run(analyze_seconds(data, sink_throughput.DNS_PORT))
    print(f"analyze of {LINES:,} folded lines ({len(data):,} octets): {seconds:.2f} s (< 2 s)")
    proc, port = start("analysing", folder / "Maildir")
    try:
        index = folder / "Maildir" / ".mailcheck-index.sqlite3"
        slowest, count, took = asyncio.run(rset_while_analysed(port, data, index))
    finally:
        stop(proc)
    print(
        f"sink analysing it ({took:.2f} s): slowest of {count} RSETs on another session "
        f"{slowest * 1000:.1f} ms (< 100 ms)"
    )
