"""Bounded work in the sink (issue 15 item 8): a 2 MB message of 500,000 folded header lines
with a DKIM-Signature is analysed in a worker process, dkimpy never sees it whole, and other
sessions are answered meanwhile; a message that eats CPU is stopped by the worker's limit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import dkim

from mailcheck.dns.live import Nameserver, ResolverConfig
from mailcheck.smtp.backlog import AnalyserProcess
from mailcheck.smtp.message import DkimKey, build_message
from tests.smtp.helpers import RawClient, dot_stuff, indexed

KEY_FILE = Path(__file__).parent.parent / "data" / "sink" / "dkim-sinktest.pem"


def folded(lines: int) -> bytes:
    """A signed message below ``lines`` folded lines of one header field."""
    key = DkimKey.load("sinktest.example", "sel1", KEY_FILE)
    signed = build_message("a@sinktest.example", "b@company.example", dkim_key=key).data
    return b"X-Junk: a" + b"\r\n b" * lines + b"\r\n" + signed


async def _send(port: int, message: bytes) -> None:
    client = await RawClient.connect(port)
    await client.ehlo_mail_rcpt("a@sinktest.example", "b@company.example")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(message))
    assert (await client.reply()).startswith("250")
    await client.close()


async def test_folded_header_flood_is_analysed_off_the_loop(make_sink, world):
    config = ResolverConfig((Nameserver("127.0.0.1", world.port),), timeout=2.0)
    sink = await make_sink(analyzer=AnalyserProcess(config))
    await _send(sink.port, folded(500_000))
    other = await RawClient.connect(sink.port)
    await other.cmd("EHLO other.test")
    for _ in range(20):  # answered throughout, while the flood is analysed
        assert (await asyncio.wait_for(other.cmd("RSET"), 5)).startswith("250")
        await asyncio.sleep(0.05)
    await other.close()
    await sink.handler.drain(60)
    (row,) = indexed(sink.maildir.path)
    (dkim,) = row["analysis"]["dkim"]
    assert dkim["result"] == "permerror"
    assert "header section larger than" in dkim["reason"]


def ten_signatures() -> bytes:
    """8 MB of short body lines under ten copies of one relaxed DKIM-Signature: each copy
    canonicalises and hashes the whole body again (about half a second of CPU each)."""
    body = b"a \r\n" * 2_000_000
    message = b"From: a@sinktest.example\r\nTo: b@company.example\r\nSubject: big\r\n\r\n" + body
    relaxed = (b"relaxed", b"relaxed")
    signature = dkim.sign(
        message, b"sel1", b"sinktest.example", KEY_FILE.read_bytes(), canonicalize=relaxed
    )
    return signature * 10 + message


async def test_a_message_over_its_cpu_time_is_stopped(make_sink, world):
    config = ResolverConfig((Nameserver("127.0.0.1", world.port),), timeout=2.0)
    sink = await make_sink(analyzer=AnalyserProcess(config, cpu_seconds=1))
    await _send(sink.port, ten_signatures())
    await _send(sink.port, folded(10))  # the worker goes on with the next message
    await sink.handler.drain(60)
    small, big = indexed(sink.maildir.path)
    assert big["analysis"]["error"] == "analysis stopped after 1 s of CPU"
    assert small["analysis"]["dkim"][0]["result"] == "pass"
