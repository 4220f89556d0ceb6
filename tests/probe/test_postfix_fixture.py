"""The isolated Postfix helper itself: it starts, applies its policy, and cleans up."""

from __future__ import annotations

import asyncio
import smtplib

from aiosmtpd.smtp import SMTP, Envelope

from tests.postfix import PostfixConfig

SENDER = "no-reply@account.trimble.com"


def _rcpt(instance, sender, recipient):
    with smtplib.SMTP(instance.host, instance.port, timeout=10) as client:
        client.ehlo("probe.test")
        mail = client.mail(sender)
        rcpt = client.rcpt(recipient)
        client.rset()
        return mail, rcpt


def test_postfix_accepts_known_recipient_and_rejects_unknown(postfix_factory):
    instance = postfix_factory(PostfixConfig())
    assert _rcpt(instance, SENDER, "user@company.example")[1][0] == 250
    code, text = _rcpt(instance, SENDER, "nobody@company.example")[1]
    assert (code, text[:5]) == (550, b"5.1.1")


def test_postfix_never_relays_by_default(postfix_factory):
    instance = postfix_factory(PostfixConfig())
    code, text = _rcpt(instance, SENDER, "user@elsewhere.example")[1]
    assert code == 554 and b"Relay access denied" in text


def test_postfix_sender_access_rejects_and_greylists(postfix_factory):
    config = PostfixConfig(
        sender_access={
            SENDER: "550 5.7.1 Sender blocked by policy",
            "greylist.example": "450 4.7.1 Greylisted, try again later",
        }
    )
    instance = postfix_factory(config)
    code, text = _rcpt(instance, SENDER, "user@company.example")[1]
    assert (code, text[:5]) == (550, b"5.7.1")
    code, text = _rcpt(instance, "a@greylist.example", "user@company.example")[1]
    assert (code, text[:5]) == (450, b"4.7.1")


def test_postfix_stop_removes_everything(postfix_factory):
    instance = postfix_factory(PostfixConfig())
    pid = instance.master_pid()
    assert pid is not None
    instance.stop()
    assert not instance.root.exists()
    try:
        smtplib.SMTP(instance.host, instance.port, timeout=2).close()
    except OSError:
        pass
    else:
        raise AssertionError("Postfix still listening after stop()")


async def test_postfix_relays_to_relayhost(postfix_factory):
    """With relay_from_loopback and a relayhost, accepted mail reaches the sink behind it."""
    received: asyncio.Queue[Envelope] = asyncio.Queue()

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            await received.put(envelope)
            return "250 2.0.0 stored"

    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Sink()), "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        config = PostfixConfig(relayhost=f"[127.0.0.1]:{port}", relay_from_loopback=True)
        instance = await asyncio.to_thread(postfix_factory, config)
        await asyncio.to_thread(_send, instance, "a@elsewhere.example")
        envelope = await asyncio.wait_for(received.get(), 30)
    finally:
        server.close()
        await server.wait_closed()
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == ["a@elsewhere.example"]
    assert b"hello" in envelope.content


def _send(instance, recipient):
    with smtplib.SMTP(instance.host, instance.port, timeout=10) as client:
        client.sendmail(SENDER, [recipient], b"Subject: relay test\r\n\r\nhello\r\n")
