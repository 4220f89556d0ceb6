"""Per-message analysis: the sink runs the ``analyze`` core on what it saw on the wire.

The proof of one engine: the same messages through the sink (PROXY presenting the original
client IP) and through ``mailcheck.message.analyze`` give the same DKIM, SPF and DMARC results
and the same profile match; a Trimble From forged by another envelope is never "sender=yes".
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from mailcheck.dns.interface import Answer, Outcome, RRType
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import Recorded, Snapshot, SnapshotResolver
from mailcheck.facts.jsonable import jsonable
from mailcheck.message import OrgContext, analyze, evaluate
from mailcheck.message.judgement import match_profile
from mailcheck.report.sink import tally, text_list, text_show, verdict
from mailcheck.rulefiles.profiles import get_profile
from mailcheck.smtp.message import DkimKey, build_message
from mailcheck.smtp.pickup import InlineAnalysis

from .helpers import RawClient, dot_stuff, indexed

DATA = Path(__file__).parent.parent / "data"
KEY_FILE = DATA / "sink" / "dkim-sinktest.pem"
KEY_NAME = "sel1._domainkey.sinktest.example"
HELO = "client.test"  # what RawClient.ehlo_mail_rcpt says


def _public_txt() -> str:
    key = serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def _key_resolver() -> SnapshotResolver:
    snapshot = Snapshot("2026-11-22T00:00:00Z")
    answer = Answer(KEY_NAME, RRType.TXT, Outcome.ANSWER, (_public_txt(),), 300)
    snapshot.entries[(KEY_NAME, RRType.TXT)] = Recorded("t", answer)
    return SnapshotResolver(snapshot)


def test_zone_file_publishes_the_test_key():
    zone = (DATA / "zones" / "sinktest.example.zone").read_text()
    flat = "".join(part for part in zone.split('"')[1::2])
    assert _public_txt().split("p=")[1] in flat


def _signed(sender: str = "no-reply@account.trimble.com") -> bytes:
    key = DkimKey.load("sinktest.example", "sel1", KEY_FILE)
    return build_message(sender, "admin@company.example", dkim_key=key).data


async def _deliver_via_proxy(sink, client_ip: str, mail_from: str, message: bytes) -> None:
    client = await RawClient.connect(sink.port, greeting=False)
    await client.send(f"PROXY TCP4 {client_ip} 127.0.0.1 40000 25\r\n".encode())
    await client.reply()
    await client.ehlo_mail_rcpt(mail_from, "admin@company.example")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(message))
    assert (await client.reply()).startswith("250")
    await client.close()


async def test_sink_stores_the_core_result_with_profile_match(make_sink):
    profile = get_profile("trimble-identity")
    sink = await make_sink(analyzer=InlineAnalysis(_key_resolver, profile), proxy_protocol=True)
    await _deliver_via_proxy(sink, "54.240.27.30", "bounce@account.trimble.com", _signed())
    await sink.handler.drain(10)
    (row,) = indexed(sink.maildir.path)
    analysis = row["analysis"]
    assert analysis["schema"] == 2
    assert (analysis["dkim"][0]["result"], analysis["dkim"][0]["domain"]) == (
        "pass",
        "sinktest.example",
    )
    assert analysis["from"] == "no-reply@account.trimble.com"
    assert analysis["profile"]["from_sender"] == "no-reply@account.trimble.com"
    assert analysis["profile"]["network"] == "54.240.27.30/32"
    # The snapshot holds no SPF answers: a lookup that cannot complete is temperror, not "none".
    assert analysis["spf"]["result"] == "temperror"
    assert analysis["dmarc"]["result"] == "temperror"
    # not proven by DMARC, so not a "yes" even though the From address is the profile's
    assert analysis["profile"]["sender"] == "unproven"
    assert "dkim=pass(sinktest.example)" in verdict(analysis)
    assert "ip=54.240.27.30/32" in verdict(analysis)
    shown = text_show(row)
    assert "  From:        no-reply@account.trimble.com\n" in shown
    assert "  DMARC:       temperror " in shown
    assert analysis["findings"][0]["code"] == "MSG001"


def _as_received_by_mx(message: bytes, client_ip: str, mail_from: str) -> bytes:
    """The message as the org's MX would have stored it: its Received and Return-Path."""
    return (
        f"Return-Path: <{mail_from}>\r\n"
        f"Received: from {HELO} ({HELO} [{client_ip}])\r\n"
        "\tby mx.company.example (Postfix) with ESMTP id 4ABCDEF;\r\n"
        "\tMon, 23 Nov 2026 10:00:00 +0000\r\n"
    ).encode() + message


CASES = [
    # (client IP, MAIL FROM, From, signed): a good sender, an unsigned forgery of the same
    # domain from a foreign IP, and a Trimble From under an attacker's envelope.
    ("54.240.27.30", "bounce@sinktest.example", "alerts@sinktest.example", True),
    ("192.0.2.99", "bounce@sinktest.example", "alerts@sinktest.example", False),
    ("192.0.2.66", "attacker@evil.example", "no-reply@account.trimble.com", False),
    ("54.240.27.30", "bounce@account.trimble.com", "no-reply@account.trimble.com", True),
]


def _message(sender: str, signed: bool) -> bytes:
    key = DkimKey.load("sinktest.example", "sel1", KEY_FILE) if signed else None
    return build_message(sender, "admin@company.example", dkim_key=key).data


async def test_sink_and_analyze_agree(make_sink, world):
    config = ResolverConfig((Nameserver("127.0.0.1", world.port),), timeout=2.0)
    profile = get_profile("trimble-identity")
    sink = await make_sink(
        analyzer=InlineAnalysis(lambda: LiveResolver(config), profile), proxy_protocol=True
    )
    messages = [_message(sender, signed) for _ip, _mf, sender, signed in CASES]
    for (ip, mail_from, _sender, _signed), message in zip(CASES, messages, strict=True):
        await _deliver_via_proxy(sink, ip, mail_from, message)
    await sink.handler.drain(30)
    rows = list(reversed(indexed(sink.maildir.path)))  # oldest first, as sent
    for (ip, mail_from, _sender, _signed), message, row in zip(CASES, messages, rows, strict=True):
        eml = _as_received_by_mx(message, ip, mail_from)
        facts = await analyze(eml, "eml", LiveResolver(config), OrgContext())
        stored = row["analysis"]
        assert stored["dkim"] == jsonable(facts.dkim)
        assert stored["spf"] == jsonable(facts.spf)
        assert stored["dmarc"] == jsonable(facts.dmarc)
        match = match_profile(facts, profile)
        net = match.entry_network
        assert stored["profile"]["from_sender"] == match.from_sender
        assert stored["profile"]["return_path_ok"] == match.return_path_ok
        assert stored["profile"]["network"] == (str(net.network) if net else None)
        assert stored["profile"]["dkim_domains"] == list(match.dkim_domains)
        first = evaluate(facts, profile)[0]
        assert stored["findings"][0] == {
            "code": first.code,
            "status": first.status.value,
            "summary": first.summary,
        }
    good, forged, spoof, trimble = (r["analysis"] for r in rows)
    assert trimble["profile"]["sender"] == "yes"
    assert (good["dmarc"]["result"], good["spf"]["result"]) == ("pass", "pass")
    assert forged["dmarc"]["result"] == "fail" and forged["suspicious"]
    assert spoof["dmarc"]["result"] == "fail" and spoof["suspicious"]
    assert spoof["profile"]["from_sender"] == "no-reply@account.trimble.com"
    assert spoof["profile"]["sender"] == "forged"
    listed = text_list(indexed(sink.maildir.path))
    spoof_line = next(line for line in listed.splitlines() if "attacker@evil.example" in line)
    assert "sender=yes" not in spoof_line and "SUSPICIOUS" in spoof_line
    assert tally(rows).line() == "4 messages, 2 authenticated (DMARC pass), 2 suspicious"


@pytest.mark.parametrize("helo", ["evil ([54.240.27.30])", "x [54.240.27.30]"])
async def test_helo_never_names_the_client_ip(make_sink, helo):
    profile = get_profile("trimble-identity")
    sink = await make_sink(analyzer=InlineAnalysis(_key_resolver, profile), proxy_protocol=True)
    client = await RawClient.connect(sink.port, greeting=False)
    await client.send(b"PROXY TCP4 192.0.2.7 127.0.0.1 40000 25\r\n")
    await client.reply()
    assert (await client.cmd(f"EHLO {helo}")).startswith("250")
    assert (await client.cmd("MAIL FROM:<bounce@account.trimble.com>")).startswith("250")
    assert (await client.cmd("RCPT TO:<admin@company.example>")).startswith("250")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(_signed()))
    assert (await client.reply()).startswith("250")
    await client.close()
    await sink.handler.drain(10)
    (row,) = indexed(sink.maildir.path)
    assert row["analysis"]["profile"]["network"] is None
    assert row["analysis"]["spf"]["ip"] == "192.0.2.7"
