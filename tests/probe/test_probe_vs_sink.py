"""The probe against the project's own SMTP sink, told by behaviours files how to answer.

Every behaviour is written to a TOML file and loaded like an admin's ``--behaviours`` file;
the probe speaks as the Trimble profile's first sender. Besides the verdicts, each test checks
what the sink itself saw: the probe never sends DATA, so the sink stores nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

from mailcheck.rulefiles.profiles import get_profile
from mailcheck.smtp.probe import ProbeOptions, ProbeResult, RateLimiter, probe_host
from mailcheck.smtp.server import RunningSink
from tests.sinks import StartSink, write_behaviours
from tests.smtp.helpers import indexed

SENDER = get_profile("trimble-identity").senders[0].address
RECIPIENT = "admin@company.example"
SINK_HOST = "sink.test"  # the sink's hostname, and the name its self-signed certificate has


def reject(stage: str, code: int, status: str, match: str) -> str:
    return (
        f'[[behaviour]]\nname = "reject at {stage}"\nstage = "{stage}"\naction = "reject"\n'
        f'code = {code}\nstatus = "{status}"\ntext = "Sink says no"\nmatch = {{ {match} }}\n'
    )


async def start(make_sink: StartSink, tmp_path: Path, body: str = "", **config) -> RunningSink:
    """A sink whose behaviours come from ``body`` written to a TOML file (none when empty)."""
    rules = write_behaviours(tmp_path / "behaviours.toml", body) if body else ()
    sink: RunningSink = await make_sink(behaviours=rules, **config)
    return sink


async def probe(sink: RunningSink, sender: str = SENDER, timeout: float = 5.0) -> ProbeResult:
    options = ProbeOptions(RECIPIENT, port=sink.port, timeout=timeout, min_interval=0)
    return await probe_host(SINK_HOST, "127.0.0.1", sender, options, RateLimiter(0))


def assert_nothing_stored(sink: RunningSink, result: ProbeResult) -> None:
    assert not any(line.startswith("C: DATA") for line in result.transcript)
    assert indexed(sink.maildir.path) == []
    assert list((sink.maildir.path / "new").iterdir()) == []
    assert list((sink.maildir.path / "tmp").iterdir()) == []


def test_profile_sender_is_a_plain_address():
    assert SENDER == "no-reply@account.trimble.com"  # a wildcard could not be MAIL FROM


@pytest.mark.parametrize(
    ("body", "verdict", "stage", "reply"),
    [
        pytest.param("", "accepted", "rcpt", "250 2.1.5", id="accepted"),
        pytest.param(
            reject("mail", 550, "5.7.1", f'mail_from = ["{SENDER}"]'),
            "policy",
            "mail",
            "550 5.7.1 Sink says no",
            id="policy-at-mail",
        ),
        pytest.param(
            reject("rcpt", 550, "5.1.1", 'rcpt_to = ["admin@*"]'),
            "unknown-recipient",
            "rcpt",
            "550 5.1.1 Sink says no",
            id="unknown-recipient",
        ),
        pytest.param(
            '[[behaviour]]\nname = "g"\nstage = "rcpt"\naction = "greylist"\nseconds = 300\n',
            "temporary",
            "rcpt",
            "450 4.7.1",  # the sink greylists with 450 (RFC 6647 leaves 450/451 to the server)
            id="greylist",
        ),
        pytest.param(
            '[[behaviour]]\nname = "d"\nstage = "mail"\naction = "disconnect"\n',
            "temporary",  # 421: the server closes the channel; senders retry later
            "mail",
            "421 4.7.0",
            id="disconnect",
        ),
    ],
)
async def test_probe_verdict_from_sink_behaviour(make_sink, tmp_path, body, verdict, stage, reply):
    sink = await start(make_sink, tmp_path, body)
    result = await probe(sink)
    assert (result.verdict, result.stage) == (verdict, stage), result.transcript
    assert result.reply.startswith(reply)
    assert result.enhanced == reply.split()[1]
    assert f"C: MAIL FROM:<{SENDER}>" in result.transcript
    assert_nothing_stored(sink, result)


async def test_sender_behaviour_only_catches_the_profile_sender(make_sink, tmp_path):
    rules = reject("mail", 550, "5.7.1", 'mail_from = ["*@account.trimble.com"]')
    sink = await start(make_sink, tmp_path, rules)
    assert (await probe(sink)).verdict == "policy"
    other = await probe(sink, sender="ok@sender.example")
    assert (other.verdict, other.stage) == ("accepted", "rcpt")
    assert_nothing_stored(sink, other)


@pytest.mark.parametrize(("stage", "probe_stage"), [("connect", "banner"), ("rcpt", "rcpt")])
async def test_delay_beyond_the_probe_timeout_is_timeout(make_sink, tmp_path, stage, probe_stage):
    body = f'[[behaviour]]\nname = "slow"\nstage = "{stage}"\naction = "delay"\nseconds = 3\n'
    sink = await start(make_sink, tmp_path, body)
    result = await probe(sink, timeout=0.5)
    assert (result.verdict, result.stage) == ("timeout", probe_stage), result.transcript
    assert "(no reply within 0.5 s)" in result.transcript
    assert_nothing_stored(sink, result)


async def test_self_signed_starttls_is_established_but_unverified(make_sink, tmp_path):
    sink = await start(make_sink, tmp_path)
    result = await probe(sink)
    assert result.tls.offered and result.tls.established
    assert not result.tls.verified
    assert "self-signed" in result.tls.verify_error
    assert result.verdict == "accepted"  # delivered anyway, as opportunistic TLS senders do
    cert = x509.load_der_x509_certificate(result.tls.cert_der)
    assert cert.subject == cert.issuer  # the sink's throw-away certificate, self-signed
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [SINK_HOST]
    assert result.transcript.count("C: STARTTLS") == 2  # verified try, then unverified retry
    assert_nothing_stored(sink, result)


async def test_sink_without_tls_is_reported_as_no_starttls(make_sink, tmp_path):
    sink = await start(make_sink, tmp_path, tls=False)
    result = await probe(sink)
    assert not result.tls.offered and not result.tls.established
    assert result.verdict == "accepted"
    assert "C: STARTTLS" not in result.transcript
