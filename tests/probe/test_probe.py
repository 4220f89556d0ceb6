"""The SMTP probe against a real Postfix on loopback, and a peer that never answers."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.probe import ProbeCheck
from mailcheck.cli import main
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.protocols.dane import association
from mailcheck.rulefiles.profiles import get_profile
from mailcheck.smtp.client import Reply
from mailcheck.smtp.probe import ProbeOptions, RateLimiter, classify, probe_host
from tests.nameserver import zones_from_records
from tests.postfix import PostfixConfig, require_postfix, start_postfix
from tests.tlscerts import make_ca, self_signed

MX = "mx.probe.recv.example"
PROFILE_SENDER = "no-reply@account.trimble.com"


@pytest.fixture(scope="module")
def postfix(tmp_path_factory):
    """One Postfix for the module: self-signed STARTTLS, a blocked and a greylisted sender."""
    require_postfix()
    cert = self_signed(tmp_path_factory.mktemp("tls"), MX)
    instance = start_postfix(
        PostfixConfig(
            hostname=MX,
            sender_access={
                PROFILE_SENDER: "550 5.7.1 Sender blocked by policy",
                "greylist@sender.example": "450 4.7.1 Greylisted, please try again later",
            },
            tls_cert_file=cert.cert,
            tls_key_file=cert.key,
        )
    )
    yield instance
    instance.stop()


def options(port, recipient="user@company.example", **kwargs):
    kwargs.setdefault("timeout", 5.0)
    return ProbeOptions(recipient, port=port, min_interval=0, address="127.0.0.1", **kwargs)


async def probe(port, sender, **kwargs):
    return await probe_host(MX, "192.0.2.1", sender, options(port, **kwargs), RateLimiter(0))


@pytest.mark.parametrize(
    ("sender", "recipient", "verdict", "stage", "enhanced"),
    [
        ("ok@sender.example", "user@company.example", "accepted", "rcpt", "2.1.5"),
        (PROFILE_SENDER, "user@company.example", "policy", "rcpt", "5.7.1"),
        ("greylist@sender.example", "user@company.example", "temporary", "rcpt", "4.7.1"),
        ("ok@sender.example", "nobody@company.example", "unknown-recipient", "rcpt", "5.1.1"),
        ("ok@sender.example", "user@elsewhere.example", "policy", "rcpt", "5.7.1"),
    ],
)
async def test_probe_classifies_postfix_replies(
    postfix, sender, recipient, verdict, stage, enhanced
):
    result = await probe(postfix.port, sender, recipient=recipient)
    assert (result.verdict, result.stage, result.enhanced) == (verdict, stage, enhanced)
    assert result.address == "127.0.0.1"
    assert not any(line.startswith("C: DATA") for line in result.transcript)
    assert result.transcript[-2:] == ("C: QUIT", result.transcript[-1])
    assert any(line == f"C: MAIL FROM:<{sender}>" for line in result.transcript)


async def test_probe_unverifiable_certificate_is_not_missing_starttls(postfix):
    result = await probe(postfix.port, "ok@sender.example")
    assert result.tls.offered and result.tls.established
    assert not result.tls.verified
    assert "self-signed" in result.tls.verify_error or "certificate" in result.tls.verify_error
    assert result.verdict == "accepted"  # still delivered, like an opportunistic sender


async def test_probe_timeout_when_peer_never_answers():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = await probe(port, "ok@sender.example", timeout=0.5)
    assert (result.verdict, result.stage) == ("timeout", "banner")


async def test_probe_connection_refused_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await probe(port, "ok@sender.example", timeout=2)
    assert (result.verdict, result.stage) == ("unreachable", "connect")


async def test_probe_verified_certificate(postfix_factory, tmp_path):
    ca = make_ca(tmp_path)
    cert = ca.issue(MX)
    instance = postfix_factory(
        PostfixConfig(hostname=MX, tls_cert_file=cert.cert, tls_key_file=cert.key)
    )
    result = await probe(instance.port, "ok@sender.example", ca_file=str(ca.ca_file))
    assert result.tls.established and result.tls.verified and not result.tls.verify_error
    assert result.verdict == "accepted"


async def test_rate_limiter_spaces_connections():
    limiter = RateLimiter(0.2)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(3):
        await limiter.wait()
    assert loop.time() - start >= 0.39


@pytest.mark.parametrize(
    ("code", "lines", "stage", "verdict"),
    [
        (250, ("2.1.5 Ok",), "rcpt", "accepted"),
        (451, ("4.7.1 Greylisted",), "rcpt", "temporary"),
        (421, ("Too busy",), "banner", "temporary"),
        (550, ("5.7.1 Blocked",), "mail", "policy"),
        (554, ("5.7.1 Relay access denied",), "rcpt", "policy"),
        (550, ("5.1.1 User unknown",), "rcpt", "unknown-recipient"),
        (550, ("5.1.1 odd",), "mail", "rejected"),
        (550, ("User unknown",), "rcpt", "rejected"),
        (554, ("No SMTP service here",), "banner", "rejected"),
    ],
)
def test_classify(code, lines, stage, verdict):
    assert classify(Reply(code, lines), stage) == verdict


@pytest.fixture
def resolver(nameserver):
    host, port = nameserver.address
    return LiveResolver(ResolverConfig((Nameserver(host, port),), timeout=0.5, retries=0))


async def test_probe_check_with_profile_sender_blocked(postfix, resolver):
    check = ProbeCheck(
        ProbeOptions("user@company.example", port=postfix.port, timeout=5, min_interval=0)
    )
    context = CheckContext("probe.recv.example", resolver, get_profile("trimble-identity"))
    result = await check.run(context)
    codes = [(f.code, f.status) for f in result.findings]
    assert codes == [("PRB003", Status.FAIL), ("PRB007", Status.WARN)]
    assert result.facts.sender == PROFILE_SENDER
    verdict = result.findings[0]
    assert "C: RCPT TO:<user@company.example>" in verdict.evidence
    assert "address-based policy only" in verdict.detail
    assert result.facts.hosts[0].certificate.names == (MX,)


def test_cli_report_with_probe(postfix, nameserver, capsys):
    host, port = nameserver.address
    code = main(
        [
            "report",
            "probe.recv.example",
            "--nameserver",
            f"{host}:{port}",
            "--probe-rcpt",
            "user@company.example",
            "--probe-port",
            str(postfix.port),
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    found = {f["code"] for check in report["checks"] for f in check["findings"]}
    assert {"PRB003", "PRB007", "PRV003", "TLS002", "MX011"} <= found
    names = [c["check"] for c in report["checks"]]
    assert names[:4] == ["mx", "mx-hygiene", "provider", "tls"] and "probe" in names
    assert code == 2  # a policy block stops delivery


def test_cli_report_without_probe_runs_receiving_checks(nameserver, capsys):
    host, port = nameserver.address
    # The exit code is left out: sender-side checks ask names the test zones do not serve.
    main(["report", "acme.example", "--nameserver", f"{host}:{port}", "--json"])
    report = json.loads(capsys.readouterr().out)
    checks = {c["check"]: c for c in report["checks"]}
    assert list(checks)[:4] == ["mx", "mx-hygiene", "provider", "tls"]
    assert "probe" not in checks
    assert checks["provider"]["facts"]["provider"] == "microsoft-365"
    receiving = [
        f for name in ("mx", "mx-hygiene", "provider", "tls") for f in checks[name]["findings"]
    ]
    assert receiving and all(f["status"] in ("pass", "info") for f in receiving)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--probe-rcpt", "not-an-address"], "--probe-rcpt"),
        (["--probe-rcpt", "u@company.example", "--snapshot", "x.json"], "cannot replay"),
        (["--probe-rcpt", "u@company.example", "--probe-port", "0"], "--probe-port"),
        (["--probe-rcpt", "u@company.example", "--probe-max-mx", "0"], "--probe-max-mx"),
    ],
)
def test_cli_probe_usage_errors(argv, message, capsys):
    assert main(["report", "acme.example", "--nameserver", "127.0.0.1:9", *argv]) == 3
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("matching", "expected"), [(True, "TLS015"), (False, "TLS016")])
async def test_probe_checks_certificate_against_tlsa(
    postfix_factory, nameserver, resolver, tmp_path, matching, expected
):
    cert = self_signed(tmp_path, "mx.dane.example")
    other = self_signed(tmp_path, "mx.dane.example", stem="other")
    instance = postfix_factory(
        PostfixConfig(hostname="mx.dane.example", tls_cert_file=cert.cert, tls_key_file=cert.key)
    )
    published = association((cert if matching else other).der, 1, 1)
    nameserver.set_zones(
        zones_from_records(
            {
                "dane.example": [("MX", "10 mx.dane.example.")],
                "mx.dane.example": [("A", "127.0.0.1")],
                "_25._tcp.mx.dane.example": [("TLSA", f"3 1 1 {published}")],
            }
        )
    )
    check = ProbeCheck(
        ProbeOptions("user@company.example", port=instance.port, timeout=5, min_interval=0)
    )
    result = await check.run(CheckContext("dane.example", resolver))
    assert result.findings[-1].code == expected
    assert result.facts.hosts[0].dane == ("match" if matching else "mismatch")


async def scripted_server(replies):
    """A raw SMTP peer answering each line with the next scripted reply; records what it heard."""
    heard: list[str] = []

    async def handle(reader, writer):
        try:
            writer.write(replies[0])
            for reply in replies[1:]:
                line = await asyncio.wait_for(reader.readline(), 5)
                if not line:
                    break
                heard.append(line.decode().rstrip())
                writer.write(reply)
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, heard


async def test_probe_falls_back_to_helo():
    replies = [
        b"220 old.example SMTP\r\n",
        b"502 5.5.2 Command not recognized\r\n",
        b"250 old.example\r\n",
        b"250 2.1.0 Ok\r\n",
        b"250 2.1.5 Ok\r\n",
        b"250 2.0.0 Ok\r\n",
        b"221 2.0.0 Bye\r\n",
    ]
    server, heard = await scripted_server(replies)
    async with server:
        result = await probe(server.sockets[0].getsockname()[1], "ok@sender.example")
    assert heard[0].startswith("EHLO ") and heard[1].startswith("HELO ")
    assert result.verdict == "accepted" and not result.tls.offered
    assert "DATA" not in heard


async def test_probe_banner_rejection():
    replies = [b"554 5.3.2 No SMTP service here\r\n", b"250 Ok\r\n", b"221 Bye\r\n"]
    server, heard = await scripted_server(replies)
    async with server:
        result = await probe(server.sockets[0].getsockname()[1], "ok@sender.example")
    assert (result.verdict, result.stage, result.enhanced) == ("rejected", "banner", "5.3.2")
    assert not any(h.startswith(("EHLO", "MAIL")) for h in heard)


async def test_probe_refuses_line_breaks_in_addresses():
    replies = [b"220 x ESMTP\r\n", b"250 x\r\n", b"250 Ok\r\n", b"250 Ok\r\n"]
    server, heard = await scripted_server(replies)
    async with server:
        result = await probe(server.sockets[0].getsockname()[1], "a@x.example>\r\nDATA\r\n<")
    assert result.verdict == "unreachable" and "line break" in result.reply
    assert not any("DATA" in h for h in heard)
