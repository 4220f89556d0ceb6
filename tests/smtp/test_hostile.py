"""Hostile clients: proper codes, the server stays up, memory stays bounded, nothing partial."""

from __future__ import annotations

import asyncio
import os
import resource
import tracemalloc

import pytest

from .helpers import RawClient, dot_stuff, indexed, stored_messages

MESSAGE = b"Subject: ok\r\n\r\nfine\r\n"


async def _still_serves(sink) -> None:
    client = await RawClient.connect(sink.port)
    await client.ehlo_mail_rcpt()
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(MESSAGE))
    assert (await client.reply()).startswith("250 2.0.0")
    await client.close()


def _nothing_partial(sink, expected: int) -> None:
    assert len(stored_messages(sink.maildir.path)) == expected
    assert len(indexed(sink.maildir.path)) == expected
    assert os.listdir(sink.maildir.path / "tmp") == []


async def test_overlong_command_lines(sink):
    client = await RawClient.connect(sink.port)
    await client.cmd("EHLO client.test")
    assert (await client.cmd("NOOP " + "x" * 600)).startswith("500")  # > 512 octets
    assert (await client.cmd("MAIL FROM:<" + "a" * 5000 + "@example.com>")).startswith("500")
    assert (await client.cmd(b"RSET")).startswith("250")  # the session goes on
    await client.close()
    await _still_serves(sink)
    _nothing_partial(sink, 1)


async def test_binary_junk_is_refused_then_cut_off(sink):
    client = await RawClient.connect(sink.port)
    replies = []
    for junk in (b"\x00\xff\xfe\r\n", b"\x16\x03\x01\x02\x00\x01\r\n", b"\xc3\x28 \x80\r\n"):
        await client.send(junk)
        replies.append(await client.reply())
    assert all(r.startswith("500") for r in replies), replies
    await client.send(os.urandom(4096).replace(b"\n", b"") + b"\r\n")
    for _ in range(4):
        await client.send(b"BOGUS\r\n")
    rest = await asyncio.wait_for(client.reader.read(), 10)  # server hangs up at its limit
    assert b"502 5.5.1 Too many unrecognized commands" in rest
    await client.close()
    await _still_serves(sink)


async def test_unterminated_data_stores_nothing(sink):
    client = await RawClient.connect(sink.port)
    await client.ehlo_mail_rcpt()
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(b"Subject: cut\r\n\r\n" + b"partial line\r\n" * 5000 + b"no end")
    await client.close()
    await asyncio.sleep(0.2)
    _nothing_partial(sink, 0)
    await _still_serves(sink)


async def test_pipelined_transaction_and_command_flood(sink):
    client = await RawClient.connect(sink.port)
    await client.cmd("EHLO client.test")
    # A whole transaction (and the next one) in one write: replies come back in order.
    burst = b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n"
    burst += dot_stuff(MESSAGE) + b"MAIL FROM:<c@example.com>\r\nRSET\r\n"
    await client.send(burst)
    replies = [await client.reply() for _ in range(6)]
    codes = [r[:3] for r in replies]
    assert codes == ["250", "250", "354", "250", "250", "250"], replies
    # A flood of NOOPs (each would reset the idle timer) is cut off at the call limit.
    await client.send(b"NOOP\r\n" * 10_000)
    rest = await asyncio.wait_for(client.reader.read(), 10)
    assert b"421 4.7.0 NOOP sent too many times" in rest
    await client.close()
    _nothing_partial(sink, 1)
    await _still_serves(sink)


async def test_slow_trickling_client_is_timed_out_others_served(make_sink):
    sink = await make_sink(command_timeout=1.0)
    slow = await RawClient.connect(sink.port)

    async def trickle() -> bytes:
        for byte in b"EHLO slowly.example.com":
            slow.writer.write(bytes([byte]))
            await asyncio.sleep(0.1)
            if slow.reader.at_eof():
                break
        return await asyncio.wait_for(slow.reader.read(), 10)

    task = asyncio.create_task(trickle())
    await _still_serves(sink)  # served while the trickler dribbles
    assert await task == b""  # the trickler was disconnected by the command timeout
    await slow.close()


async def test_thousand_abandoned_connections(make_sink):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2300:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    sink = await make_sink(max_connections=1100, max_per_client=1100, command_timeout=30)
    tracemalloc.start()
    try:
        clients = []
        for _ in range(1000):
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", sink.port), 10
            )
            clients.append(writer)
        await asyncio.sleep(0.5)
        assert len(sink.limits.sessions) == 1000
        peak = tracemalloc.get_traced_memory()[1]
        for writer in clients:
            writer.transport.abort()  # abandoned: no QUIT, reset
        for _ in range(100):
            if not sink.limits.sessions:
                break
            await asyncio.sleep(0.05)
    finally:
        tracemalloc.stop()
    assert not sink.limits.sessions and sink.limits.total == 0
    assert peak < 64 * 2**20, peak  # client and server side of 1,000 sessions together
    await _still_serves(sink)
    _nothing_partial(sink, 1)


@pytest.mark.parametrize("size", [1_000_001, 5_000_000])
async def test_over_size_without_size_parameter(make_sink, size):
    sink = await make_sink(size_limit=1_000_000)
    client = await RawClient.connect(sink.port)
    await client.ehlo_mail_rcpt()
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(b"Subject: big\r\n\r\n" + b"a" * size + b"\r\n"))
    assert (await client.reply()).startswith("552 5.3.4")
    await client.close()
    _nothing_partial(sink, 0)
    await _still_serves(sink)
