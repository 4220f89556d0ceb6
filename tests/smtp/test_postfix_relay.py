"""End to end through a real MTA: send-test -> Postfix (loopback) -> sink, token waited for."""

from __future__ import annotations

import asyncio
import os

import pytest

from mailcheck.smtp.message import build_message
from mailcheck.smtp.sendtest import Outcome, SendOptions, send_message, wait_in_sink
from mailcheck.smtp.store import read_stored
from tests.tooling import require_tool, skip_or_fail

from .helpers import indexed
from .postfix_relay import PostfixRelay


@pytest.fixture
def postfix() -> str:
    path = require_tool("postfix", "postfix")
    if os.geteuid() != 0:
        skip_or_fail("a private Postfix instance needs root (it drops to the postfix user)")
    return path


async def test_postfix_relays_send_test_into_the_sink(postfix, sink):
    message = build_message("no-reply@account.trimble.com", "admin@company.example")
    with PostfixRelay(postfix, sink.port) as relay:
        result = await asyncio.to_thread(
            send_message, message, SendOptions("127.0.0.1", relay.port)
        )
        assert result.outcome is Outcome.ACCEPTED, result.transcript
        assert any(line.startswith("S: 250") and "queued as" in line for line in result.transcript)
        try:
            arrived = await wait_in_sink(sink.maildir.path, message.token, timeout=30)
        except Exception:
            print(relay.log()[-3000:])
            raise
    assert arrived >= result.sent_at - 1
    (row,) = indexed(sink.maildir.path)
    assert row["mail_from"] == "no-reply@account.trimble.com"
    assert row["rcpt_to"] == ["admin@company.example"]
    assert row["helo"] == "relay.mailcheck.test"
    assert row["tls"].startswith("TLSv1.")  # Postfix took the sink's STARTTLS offer
    path = sink.maildir.find(row["key"])
    _envelope, body = read_stored(path)
    assert b"by relay.mailcheck.test (Postfix" in body  # Postfix's own Received line
    assert body.endswith(message.data.split(b"\r\n\r\n", 1)[1])  # the body arrived intact
    assert b"X-Mailcheck-Token: " + message.token.encode() in body
