"""The sink stores what it acknowledges, with the envelope, and nothing it refused."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import smtplib

import pytest

from mailcheck.smtp import commit
from mailcheck.smtp.store import read_stored

from .helpers import RawClient, dot_stuff, indexed, stored_messages

MESSAGE = (
    b"From: a@example.com\r\nTo: b@example.net\r\nSubject: hi\r\n\r\n"
    b"line one\r\n.starts with a dot\r\n..two dots\r\nend\r\n"
)


async def test_accepts_stores_and_indexes_before_250(sink):
    client = await RawClient.connect(sink.port)
    await client.ehlo_mail_rcpt("a@example.com", "b@example.net")
    await client.cmd("RCPT TO:<c@example.org>")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(MESSAGE))
    reply = await client.reply()
    assert reply.startswith("250 2.0.0 OK queued as ")
    # Acknowledged means durable and indexed already, not "soon".
    files = stored_messages(sink.maildir.path)
    assert [f.name for f in files] == [reply.rsplit(" ", 1)[1]]
    envelope, body = read_stored(files[0])
    assert body == MESSAGE
    assert envelope.mail_from == "a@example.com"
    assert envelope.rcpt_to == ("b@example.net", "c@example.org")
    assert envelope.helo == "client.test" and envelope.client_ip == "127.0.0.1"
    rows = indexed(sink.maildir.path)
    assert len(rows) == 1
    assert rows[0]["sha256"] == hashlib.sha256(MESSAGE).hexdigest()
    assert rows[0]["size"] == len(MESSAGE) and rows[0]["key"] == files[0].name
    assert (await client.cmd("QUIT")).startswith("221")
    await client.close()


async def test_smtplib_send_with_starttls_and_utf8(sink):
    def send() -> tuple[str, str]:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as smtp:
            smtp.ehlo("client.test")
            features = " ".join(sorted(smtp.esmtp_features))
            smtp.starttls()
            smtp.ehlo("client.test")
            smtp.sendmail(
                "jörg@exämple.com", ["ünï@example.net"], MESSAGE, mail_options=["SMTPUTF8"]
            )
            return features, ""

    features, _ = await asyncio.to_thread(send)
    for ext in ("size", "8bitmime", "smtputf8", "pipelining", "starttls"):
        assert ext in features
    (row,) = indexed(sink.maildir.path)
    assert row["mail_from"] == "jörg@exämple.com"
    assert row["rcpt_to"] == ["ünï@example.net"]
    assert row["tls"].startswith("TLSv1.")


async def _send_one(client: RawClient) -> str:
    await client.ehlo_mail_rcpt("a@example.com", "b@example.net")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(MESSAGE))
    return await client.reply()


async def test_dead_storage_writer_means_451_then_a_new_writer(sink):
    dead = sink.maildir.writer_pid
    os.kill(dead, signal.SIGKILL)
    client = await RawClient.connect(sink.port)
    assert (await _send_one(client)).startswith("451 4.3.0")  # in flight when it died
    assert indexed(sink.maildir.path) == []
    assert (await _send_one(client)).startswith("250 ")  # the next batch starts a new writer
    assert sink.maildir.writer_pid not in (0, dead)
    assert len(indexed(sink.maildir.path)) == 1
    await client.close()


async def test_hung_storage_writer_is_killed_and_its_batch_answered_451(sink, monkeypatch):
    monkeypatch.setattr(commit, "BATCH_TIMEOUT", 1.0)
    hung = sink.maildir.writer_pid
    os.kill(hung, signal.SIGSTOP)
    client = await RawClient.connect(sink.port)
    assert (await _send_one(client)).startswith("451 4.3.0")
    assert (await _send_one(client)).startswith("250 ")
    assert sink.maildir.writer_pid not in (0, hung)
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left stopped
        os.kill(hung, 0)
    await client.close()
