"""What stock aiosmtpd 1.4.6 gets wrong for a delivery-test sink, shown, and fixed in the sink.

Each test first runs the same dialogue against a stock ``aiosmtpd.smtp.SMTP`` server, so the
claim in ``mailcheck/smtp/protocol.py`` stays measured, not remembered.
"""

from __future__ import annotations

import asyncio
import shutil
import tracemalloc
from collections.abc import AsyncIterator

import pytest
from aiosmtpd.smtp import SMTP

from mailcheck.smtp.store import read_stored

from .helpers import RawClient, dot_stuff, indexed, stored_messages


class _Keep:
    """The simplest stock handler: keep the message in memory."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.original_content)
        return "250 OK"


class _Broken:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        open("/nonexistent/mailcheck/spool/file")  # noqa: SIM115 - a real fault, with a path


@pytest.fixture
async def stock() -> AsyncIterator:
    servers = []

    async def start(handler, **kwargs) -> int:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="stock.test", loop=loop, **kwargs), "127.0.0.1", 0
        )
        servers.append(server)
        return server.sockets[0].getsockname()[1]

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def _send(port: int, message: bytes, sender: str = "a@example.com") -> str:
    client = await RawClient.connect(port)
    try:
        await client.ehlo_mail_rcpt(sender)
        assert (await client.cmd("DATA")).startswith("354")
        await client.send(dot_stuff(message))
        return await client.reply()
    finally:
        await client.close()


LONG = b"Subject: long\r\n\r\n" + b"x" * 5000 + b"\r\nend\r\n"


async def test_long_text_line_stock_rejects_sink_stores_unchanged(stock, sink):
    assert (await _send(await stock(_Keep()), LONG)).startswith("500 Line too long")
    assert (await _send(sink.port, LONG)).startswith("250 ")
    (path,) = stored_messages(sink.maildir.path)
    assert read_stored(path)[1] == LONG


async def test_non_ascii_address_stock_refuses_sink_accepts(stock, sink):
    client = await RawClient.connect(await stock(_Keep()))
    await client.cmd("EHLO client.test")
    assert (await client.cmd("MAIL FROM:<jörg@exämple.com>")).startswith("500 Error: strict ASCII")
    await client.close()
    reply = await _send(sink.port, b"Subject: x\r\n\r\nhi\r\n", sender="jörg@exämple.com")
    assert reply.startswith("250 ")
    assert indexed(sink.maildir.path)[0]["mail_from"] == "jörg@exämple.com"


async def test_fault_stock_leaks_path_sink_tempfails_without_internals(stock, sink):
    reply = await _send(await stock(_Broken()), b"Subject: x\r\n\r\nhi\r\n")
    assert reply.startswith("500") and "/nonexistent/mailcheck" in reply
    # A real fault in the sink: its Maildir disappears under it.
    shutil.rmtree(sink.maildir.path / "new")
    reply = await _send(sink.port, b"Subject: x\r\n\r\nhi\r\n")
    assert reply == "451 4.3.0 Temporary server error, please try again later"
    assert not list((sink.maildir.path / "tmp").iterdir())  # nothing partial left behind
    assert indexed(sink.maildir.path) == []


async def test_storage_fault_mid_data_answers_451_after_the_whole_message(sink):
    shutil.rmtree(sink.maildir.path / "tmp")  # a message over SPILL cannot get its file now
    client = await RawClient.connect(sink.port)
    await client.ehlo_mail_rcpt()
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(b"Subject: big\r\n\r\n" + b"XYZZY\r\n" * 20_000))
    # One reply, after the final dot: the body's lines were not read as commands.
    assert await client.reply() == "451 4.3.0 Temporary server error, please try again later"
    assert (await client.cmd("NOOP")).startswith("250")
    await client.close()
    assert stored_messages(sink.maildir.path) == [] and indexed(sink.maildir.path) == []


async def _stream_big(port: int, megabytes: int) -> str:
    client = await RawClient.connect(port)
    try:
        await client.ehlo_mail_rcpt()
        assert (await client.cmd("DATA")).startswith("354")
        await client.send(b"Subject: big\r\n\r\n")
        chunk = (b"y" * 998 + b"\r\n") * 64  # reused: the client allocates nothing per chunk
        for _ in range(megabytes * 2**20 // len(chunk) + 1):
            await client.send(chunk)
        await client.send(b".\r\n")
        return await asyncio.wait_for(client.reply(), 60)
    finally:
        await client.close()


async def _peak_during(coro) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        await coro
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_big_message_stock_buffers_it_sink_streams(stock, make_sink):
    keep = _Keep()
    stock_peak = await _peak_during(_stream_big(await stock(keep, data_size_limit=None), 30))
    assert len(keep.messages[0]) > 30 * 2**20
    keep.messages.clear()
    sink = await make_sink(size_limit=40 * 2**20)
    sink_peak = await _peak_during(_stream_big(sink.port, 30))
    assert indexed(sink.maildir.path)[0]["size"] > 30 * 2**20
    assert stock_peak > 30 * 2**20
    assert sink_peak < 4 * 2**20, sink_peak


async def test_over_size_is_refused_and_not_stored(make_sink):
    sink = await make_sink(size_limit=100_000)
    client = await RawClient.connect(sink.port)
    ehlo = await client.cmd("EHLO client.test")
    assert "250-SIZE 100000" in ehlo
    assert (await client.cmd("MAIL FROM:<a@example.com> SIZE=200000")).startswith("552")
    assert (await client.cmd("MAIL FROM:<a@example.com>")).startswith("250")
    assert (await client.cmd("RCPT TO:<b@example.net>")).startswith("250")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(b"Subject: x\r\n\r\n" + (b"z" * 998 + b"\r\n") * 200))
    assert (await client.reply()).startswith("552 5.3.4")
    # The session goes on and works.
    assert (await client.cmd("MAIL FROM:<a@example.com>")).startswith("250")
    await client.close()
    assert stored_messages(sink.maildir.path) == []
    assert not list((sink.maildir.path / "tmp").iterdir())


async def test_connection_and_recipient_limits(make_sink):
    sink = await make_sink(max_per_client=2, max_recipients=2)
    first, second = await RawClient.connect(sink.port), await RawClient.connect(sink.port)
    third = await RawClient.connect(sink.port, greeting=False)
    assert (await third.reply()).startswith("421 4.7.0")
    await third.close()
    await first.ehlo_mail_rcpt()
    assert (await first.cmd("RCPT TO:<c@example.net>")).startswith("250")
    assert (await first.cmd("RCPT TO:<d@example.net>")) == "452 4.5.3 Too many recipients"
    for client in (first, second):
        await client.close()
    await asyncio.sleep(0.1)
    again = await RawClient.connect(sink.port)  # slots are given back
    await again.close()


async def test_command_timeout_closes_idle_session(make_sink):
    sink = await make_sink(command_timeout=0.3)
    client = await RawClient.connect(sink.port)
    data = await asyncio.wait_for(client.reader.read(), 5)
    assert data == b""  # closed by the server
    await client.close()


async def test_data_timeout_drops_partial_message(make_sink):
    sink = await make_sink(data_timeout=0.3)
    client = await RawClient.connect(sink.port)
    await client.ehlo_mail_rcpt()
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(b"Subject: never ends\r\n\r\npartial")
    assert await asyncio.wait_for(client.reader.read(), 5) == b""
    await client.close()
    await asyncio.sleep(0.05)
    assert stored_messages(sink.maildir.path) == []
    assert not list((sink.maildir.path / "tmp").iterdir())


async def test_proxy_protocol_from_trusted_proxy_sets_client_ip(make_sink):
    sink = await make_sink(proxy_protocol=True)
    client = await RawClient.connect(sink.port, greeting=False)
    await client.send(b"PROXY TCP4 54.240.27.30 127.0.0.1 40000 25\r\n")
    assert (await client.reply()).startswith("220")
    await client.ehlo_mail_rcpt()
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(b"Subject: x\r\n\r\nhi\r\n"))
    assert (await client.reply()).startswith("250")
    await client.close()
    (row,) = indexed(sink.maildir.path)
    assert (row["client_ip"], row["client_port"], row["proxied_from"]) == (
        "54.240.27.30",
        40000,
        "127.0.0.1",
    )


async def test_proxy_protocol_from_untrusted_peer_is_refused(make_sink):
    sink = await make_sink(proxy_protocol=True, trusted_proxies=("192.0.2.0/24",))
    client = await RawClient.connect(sink.port, greeting=False)
    await client.send(b"PROXY TCP4 54.240.27.30 127.0.0.1 40000 25\r\n")
    assert await asyncio.wait_for(client.reader.read(), 5) == b""
    await client.close()


async def test_starttls_with_the_admins_certificate(make_sink, tmp_path):
    import smtplib
    import ssl

    from mailcheck.smtp.tlscert import self_signed

    cert, key = self_signed("localhost")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    sink = await make_sink(tls_cert=tmp_path / "cert.pem", tls_key=tmp_path / "key.pem")

    def handshake() -> dict:
        context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        with smtplib.SMTP("localhost", sink.port, timeout=10) as smtp:
            smtp.starttls(context=context)  # verifies the chain and the name "localhost"
            return smtp.sock.getpeercert()

    peer = await asyncio.to_thread(handshake)
    assert ("commonName", "localhost") in [item for rdn in peer["subject"] for item in rdn]


def test_unusable_certificate_files_are_named(tmp_path):
    from mailcheck.base.errors import SmtpError
    from mailcheck.smtp.tlscert import self_signed, server_context

    cert, key = self_signed("localhost")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "other-key.pem").write_bytes(self_signed("localhost")[1])
    (tmp_path / "junk.pem").write_text("junk\n")
    with pytest.raises(SmtpError, match=r"from .*cert.pem and .*other-key.pem: not a PEM"):
        server_context(tmp_path / "cert.pem", tmp_path / "other-key.pem", "localhost")
    with pytest.raises(SmtpError, match=r"from .*junk.pem and .*junk.pem: not a PEM"):
        server_context(tmp_path / "junk.pem", tmp_path / "junk.pem", "localhost")
    with pytest.raises(SmtpError, match=r"from .*missing.pem: No such file or directory"):
        server_context(tmp_path / "missing.pem", None, "localhost")


async def test_no_auth_offered_even_after_starttls(stock, sink):
    import smtplib
    import ssl

    def ehlo_after_starttls(port: int) -> tuple[str, tuple[int, bytes]]:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.starttls(context=context)
            smtp.ehlo("client.test")
            return smtp.ehlo_resp.decode(), smtp.docmd("AUTH", "PLAIN AGFkbWluAHMzY3JldA==")

    from mailcheck.smtp.tlscert import server_context

    # Stock aiosmtpd with TLS offers AUTH and then refuses every attempt.
    stock_port = await stock(_Keep(), tls_context=server_context(None, None, "stock.test"))
    features, auth = await asyncio.to_thread(ehlo_after_starttls, stock_port)
    assert "AUTH" in features and auth[0] == 535
    features, auth = await asyncio.to_thread(ehlo_after_starttls, sink.port)
    assert "AUTH" not in features and "PIPELINING" in features
    assert auth == (502, b"5.5.1 AUTH is not offered by this sink")


ADDRESS_ARGUMENTS = [
    "FROM:<a@example.com>",
    "FROM:<>",
    "FROM:a@example.com",
    "FROM:<a@example.com> SIZE=100",
    "FROM:<@relay.example:a@example.com>",
    'FROM:<"quoted local"@example.com>',
    "FROM:<no-at-sign>",
    "FROM:<a@example.com",
    "FROM:<<a@example.com>>",
    "FROM:<" + "l" * 65 + "@example.com>",
    "FROM:<" + "l" * 64 + "@example.com>",
    "FROM:<jörg@exämple.com>",
    "FROM:",
]


@pytest.mark.parametrize("argument", ADDRESS_ARGUMENTS)
async def test_address_parsing_answers_as_stock_does(stock, sink, argument):
    """``SinkSMTP._getaddr`` drops a per-call class; every reply must stay the same."""
    replies = []
    for port in (await stock(_Keep(), enable_SMTPUTF8=True), sink.port):
        client = await RawClient.connect(port)
        await client.cmd("EHLO client.test")
        replies.append((await client.cmd("MAIL " + argument))[:3])
        await client.close()
    assert replies[0] == replies[1], replies
