"""send-test: outcomes classified from real servers (the sink with behaviours, stock aiosmtpd)."""

from __future__ import annotations

import asyncio
import email
import re
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, AuthResult

from mailcheck.base.errors import SmtpError, UsageError
from mailcheck.cli import main
from mailcheck.cli.addresses import parse_server
from mailcheck.smtp.behaviours import load_behaviours
from mailcheck.smtp.message import TOKEN_HEADER, build_message
from mailcheck.smtp.sendtest import Outcome, SendOptions, send_message, wait_in_sink

from .helpers import indexed


def test_message_looks_like_a_verification_mail():
    msg = build_message("no-reply@account.trimble.com", "admin@company.example", token="abc123")
    parsed = email.message_from_bytes(msg.data, policy=policy.default)
    assert parsed["From"] == "Identity Service <no-reply@account.trimble.com>"
    assert parsed["Reply-To"] == "no-reply@account.trimble.com"
    assert parsed["Message-ID"] == "<abc123.mailcheck@account.trimble.com>"
    assert parsed[TOKEN_HEADER] == "abc123" and parsed["Date"]
    assert "verification code" in parsed["Subject"]
    assert parsed.get_content().count("abc123") == 1


async def _send(port: int, **options) -> object:
    message = build_message("no-reply@account.trimble.com", "admin@company.example")
    return await asyncio.to_thread(send_message, message, SendOptions("127.0.0.1", port, **options))


async def test_accepted_with_starttls_and_waited_for(sink):
    message = build_message("no-reply@account.trimble.com", "admin@company.example")
    result = await asyncio.to_thread(send_message, message, SendOptions("127.0.0.1", sink.port))
    assert result.outcome is Outcome.ACCEPTED and result.tls.startswith("TLSv1.")
    assert "C: STARTTLS" in result.transcript
    assert any(line.startswith("C: <message,") for line in result.transcript)
    arrived = await wait_in_sink(sink.maildir.path, message.token, timeout=5)
    assert arrived >= result.sent_at - 1
    with pytest.raises(SmtpError, match="did not arrive"):
        await wait_in_sink(sink.maildir.path, "no-such-token", timeout=0.3)


async def test_require_tls_without_starttls(make_sink):
    sink = await make_sink(tls=False)
    result = await _send(sink.port, require_tls=True)
    assert result.outcome is Outcome.TLS_UNAVAILABLE
    assert indexed(sink.maildir.path) == []


def _rules(tmp_path: Path, body: str):
    path = tmp_path / "b.toml"
    path.write_text(
        'kind = "sink-behaviours"\nformat_version = 1\n[[behaviour]]\nname = "x"\n' + body
    )
    return load_behaviours(path)


async def test_rejected_and_tempfail_are_classified(make_sink, tmp_path):
    reject = _rules(tmp_path, 'stage = "rcpt"\naction = "reject"\ncode = 550\nstatus = "5.7.1"\n')
    sink = await make_sink(behaviours=reject)
    result = await _send(sink.port)
    assert (result.outcome, result.stage) == (Outcome.REJECTED, "rcpt")
    assert result.reply.startswith("550")
    await sink.close()
    grey = _rules(tmp_path, 'stage = "rcpt"\naction = "greylist"\nseconds = 60\n')
    sink = await make_sink(behaviours=grey, maildir=tmp_path / "M2")
    result = await _send(sink.port)
    assert result.outcome is Outcome.TEMPFAIL and result.reply.startswith("450")


async def test_connection_failure(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await _send(port, timeout=2)
    assert result.outcome is Outcome.CONNECTION_FAILED


class _Keep:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=auth_data.login == b"admin" and auth_data.password == b"s3cret")


@pytest.fixture
async def auth_server():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            _Keep(),
            hostname="auth.test",
            authenticator=_authenticator,
            auth_required=True,
            auth_require_tls=False,
            loop=loop,
        ),
        "127.0.0.1",
        0,
    )
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_auth_when_asked(auth_server):
    assert (await _send(auth_server)).outcome is Outcome.AUTH_REQUIRED
    ok = await _send(auth_server, username="admin", password="s3cret")
    assert ok.outcome is Outcome.ACCEPTED, ok.transcript
    assert "C: AUTH <credentials hidden>" in ok.transcript
    assert not any("s3cret" in line for line in ok.transcript)


async def test_cli_sends_and_waits_in_the_sink(sink, capsys):
    argv = ["send-test", "--server", f"127.0.0.1:{sink.port}", "--to", "<IT@Company.example>"]
    argv += ["--wait-in-sink", str(sink.maildir.path), "--timeout", "20"]
    assert await asyncio.to_thread(main, argv) == 0
    out = capsys.readouterr().out
    assert "C: rcpt TO:<IT@company.example>" in out and "outcome: accepted at data" in out
    assert re.search(r"arrived in .* after \d+\.\d\d s \(end to end\)", out)
    (row,) = indexed(sink.maildir.path)
    assert row["rcpt_to"] == ["IT@company.example"]


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        ("--to", "bad address", "--to 'bad address': An email address must have an @-sign."),
        ("--to", "x@", "--to 'x@': There must be something after the @-sign."),
        ("--to", "a@b@c", "--to 'a@b@c': The part after the @-sign contains invalid"),
        ("--from", "not an address", "--from 'not an address': An email address must have"),
    ],
)
def test_cli_refuses_a_bad_address_before_connecting(capsys, option, value, error):
    # smtplib would send "bad address" as RCPT TO:<bad>; "x@" used to end in a traceback.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        port = listener.getsockname()[1]
        argv = ["send-test", "--server", f"127.0.0.1:{port}", "--to", "it@company.example"]
        assert main([*argv, option, value]) == 3
        with pytest.raises(BlockingIOError):  # nobody connected
            listener.accept()
    captured = capsys.readouterr()
    assert error in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mx.example", ("mx.example", 25)),
        ("127.0.0.1:2525", ("127.0.0.1", 2525)),
        ("[::1]:2525", ("::1", 2525)),
        ("[::1]", ("::1", 25)),
        ("2001:db8::25", ("2001:db8::25", 25)),  # a bare IPv6 address has no port
    ],
)
def test_server_argument(text, expected):
    assert parse_server(text) == expected


@pytest.mark.parametrize(
    "text", ["127.0.0.1:", ":25", "mx.example:0", "mx.example:65536", "[::1]:x"]
)
def test_bad_server_argument(text):
    with pytest.raises(UsageError, match="--server"):
        parse_server(text)


def test_cli_needs_from_when_the_profile_lists_only_wildcards(tmp_path, capsys):
    # app/send_test.profile_sender picks the sender; only the CLI names the flag to use.
    minimal = (
        Path(__file__).parent.parent / "data" / "rules" / "good" / "minimal.toml"
    ).read_text()
    (tmp_path / "wild.toml").write_text(
        minimal.replace("Alerts@Vendor.EXAMPLE", "*@vendor.example")
    )
    argv = ["send-test", "--server", "127.0.0.1:9", "--to", "it@company.example"]
    assert main([*argv, "--rules", str(tmp_path), "--profile", "minimal-vendor"]) == 3
    err = capsys.readouterr().err
    assert "profile minimal-vendor lists no exact sender address: use --from" in err
