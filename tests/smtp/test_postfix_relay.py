"""End to end through a real MTA: send-test -> Postfix (loopback) -> sink, token waited for."""

from __future__ import annotations

import asyncio

from mailcheck.smtp.message import build_message
from mailcheck.smtp.sendtest import Outcome, SendOptions, send_message, wait_in_sink
from mailcheck.smtp.store import read_stored
from tests.postfix import PostfixConfig

from .helpers import indexed

RELAY = "relay.mailcheck.test"


def relay_config(sink_port: int) -> PostfixConfig:
    """Relay everything from loopback to the sink, offering the sink STARTTLS like an MTA."""
    return PostfixConfig(
        hostname=RELAY,
        # mydestination must not be the recipient's domain, or Postfix delivers locally.
        domain="mailcheck.test",
        relayhost=f"[127.0.0.1]:{sink_port}",
        relay_from_loopback=True,
        parameters={
            "smtp_tls_security_level": "may",
            # A deferred first attempt is retried within the test's wait, not in 5 minutes.
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
        },
    )


async def test_postfix_relays_send_test_into_the_sink(postfix_factory, sink):
    message = build_message("no-reply@account.trimble.com", "admin@company.example")
    relay = await asyncio.to_thread(postfix_factory, relay_config(sink.port))
    result = await asyncio.to_thread(send_message, message, SendOptions(relay.host, relay.port))
    assert result.outcome is Outcome.ACCEPTED, result.transcript
    assert any(line.startswith("S: 250") and "queued as" in line for line in result.transcript)
    try:
        arrived = await wait_in_sink(sink.maildir.path, message.token, timeout=30)
    except Exception:
        print(relay.maillog()[-3000:])
        raise
    assert arrived >= result.sent_at - 1
    (row,) = indexed(sink.maildir.path)
    assert row["mail_from"] == "no-reply@account.trimble.com"
    assert row["rcpt_to"] == ["admin@company.example"]
    assert row["helo"] == RELAY
    assert row["tls"].startswith("TLSv1.")  # Postfix took the sink's STARTTLS offer
    path = sink.maildir.find(row["key"])
    _envelope, body = read_stored(path)
    assert f"by {RELAY} (Postfix".encode() in body  # Postfix's own Received line
    assert body.endswith(message.data.split(b"\r\n\r\n", 1)[1])  # the body arrived intact
    assert b"X-Mailcheck-Token: " + message.token.encode() in body
