"""Hostile SMTP clients against the sink (issue 15 items 9 and "Smaller"): addresses no MTA
sends, bare-LF command lines, commands without progress, idle sessions near the limit."""

from __future__ import annotations

import asyncio

import pytest

from mailcheck.smtp.junk import JUNK_LIMIT
from tests.smtp.helpers import RawClient, dot_stuff, indexed

MESSAGE = b"From: a@example.com\r\nSubject: t\r\n\r\nhello\r\n"


@pytest.fixture
async def sink(make_sink):
    """A sink with default settings (``tests/sinks.py``)."""
    return await make_sink()


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        (b"MAIL FROM:<a\x00b@example.com>", "501"),
        (b'MAIL FROM:<">x@x.example>', "501"),
        (b'MAIL FROM:<"a b"@example.com>', "250"),  # quoted local parts are real
        (b"MAIL FROM:<a@[192.0.2.1]>", "250"),
        (b"MAIL FROM:<>", "250"),
    ],
)
async def test_mail_from_paths(sink, command, reply):
    client = await RawClient.connect(sink.port)
    await client.cmd("EHLO client.test")
    assert (await client.cmd(command)).startswith(reply)
    await client.close()


@pytest.mark.parametrize(
    "rcpt", [b'RCPT TO:<">x@x.example>', b"RCPT TO:<b\x00@example.net>", b"RCPT TO:<b@ex\x00.net>"]
)
async def test_malformed_recipients_are_501(sink, rcpt):
    client = await RawClient.connect(sink.port)
    await client.cmd("EHLO client.test")
    assert (await client.cmd("MAIL FROM:<a@example.com>")).startswith("250")
    assert (await client.cmd(rcpt)).startswith("501")
    assert (await client.cmd("RCPT TO:<b@example.net>")).startswith("250")
    await client.close()


async def test_bare_lf_command_lines_are_refused_not_executed(sink):
    client = await RawClient.connect(sink.port)
    await client.cmd("EHLO client.test")
    await client.send(b"MAIL FROM:<a@example.com>\n")
    assert (await client.reply()).startswith("500 5.5.2")
    # not executed: RCPT still needs MAIL first
    assert (await client.cmd("RCPT TO:<b@example.net>")).startswith("503")
    assert (await client.cmd("MAIL FROM:<a@example.com>")).startswith("250")
    await client.close()


async def test_commands_without_progress_are_cut_off(sink):
    client = await RawClient.connect(sink.port)
    await client.cmd("EHLO client.test")
    replies = [await client.cmd("RSET") for _ in range(JUNK_LIMIT - 1)]
    assert all(r.startswith("250") for r in replies)
    await client.send(b"RSET\r\n")
    assert (await client.reply()).startswith("421 4.7.0")
    assert await asyncio.wait_for(client.reader.read(), 5) == b""  # closed
    await client.close()


async def test_an_accepted_message_resets_the_junk_count(sink):
    client = await RawClient.connect(sink.port)
    await client.cmd("EHLO client.test")
    for _ in range(2):
        for _ in range(JUNK_LIMIT - 5):
            assert (await client.cmd("RSET")).startswith("250")
        await client.ehlo_mail_rcpt()
        assert (await client.cmd("DATA")).startswith("354")
        await client.send(dot_stuff(MESSAGE))
        assert (await client.reply()).startswith("250")
    await client.close()
    assert len(indexed(sink.maildir.path)) == 2


async def test_idle_sessions_time_out_sooner_near_the_connection_limit(make_sink):
    sink = await make_sink(max_connections=5, stress_timeout=0.5)
    calm = await RawClient.connect(sink.port)
    await asyncio.sleep(1.0)  # 1 of 5 slots: the normal 300 s idle timeout
    assert (await calm.cmd("NOOP")).startswith("250")
    crowd = [await RawClient.connect(sink.port) for _ in range(3)]  # 4 of 5: stress
    assert (await crowd[0].cmd("NOOP")).startswith("250")  # re-armed with the short timeout
    # read() returns at EOF only: the sink closed the idle session (after 0.5 s, not 300 s)
    await asyncio.wait_for(crowd[0].reader.read(), 10)
    for client in (calm, *crowd):
        await client.close()
