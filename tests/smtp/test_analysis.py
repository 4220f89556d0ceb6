"""Per-message analysis: DKIM through mailcheck's resolver, profile sender and network."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from mailcheck.dmarc.author import Author
from mailcheck.dns.interface import Answer, Outcome, RRType
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import Recorded, Snapshot, SnapshotResolver
from mailcheck.errors import DnsTimeoutError
from mailcheck.profiles import get_profile
from mailcheck.report.sink import text_show, verdict
from mailcheck.smtp.analysis import MessageAnalyzer, verify_dkim
from mailcheck.smtp.auth import dmarc_result
from mailcheck.smtp.message import DkimKey, build_message

from .helpers import RawClient, dot_stuff, indexed

DATA = Path(__file__).parent.parent / "data"
KEY_FILE = DATA / "sink" / "dkim-sinktest.pem"
KEY_NAME = "sel1._domainkey.sinktest.example"


def _public_txt() -> str:
    key = serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def _resolver(**entries: Recorded) -> SnapshotResolver:
    snapshot = Snapshot("2026-11-22T00:00:00Z")
    for name, recorded in entries.items():
        snapshot.entries[(name, RRType.TXT)] = recorded
    return SnapshotResolver(snapshot)


def _key_resolver() -> SnapshotResolver:
    answer = Answer(KEY_NAME, RRType.TXT, Outcome.ANSWER, (_public_txt(),), 300)
    return _resolver(**{KEY_NAME: Recorded("t", answer)})


def test_zone_file_publishes_the_test_key():
    zone = (DATA / "zones" / "sinktest.example.zone").read_text()
    flat = "".join(part for part in zone.split('"')[1::2])
    assert _public_txt().split("p=")[1] in flat


def _signed(sender: str = "no-reply@account.trimble.com") -> bytes:
    key = DkimKey.load("sinktest.example", "sel1", KEY_FILE)
    return build_message(sender, "admin@company.example", dkim_key=key).data


async def test_dkim_pass_fail_missing_key_and_timeout():
    message = _signed()
    (ok,) = await verify_dkim(message, _key_resolver())
    assert (ok["result"], ok["domain"], ok["selector"]) == ("pass", "sinktest.example", "sel1")
    tampered = message.replace(b"verify your email", b"verify your emaiL")
    assert (await verify_dkim(tampered, _key_resolver()))[0]["result"] == "fail"
    nx = Answer(KEY_NAME, RRType.TXT, Outcome.NXDOMAIN)
    missing = await verify_dkim(message, _resolver(**{KEY_NAME: Recorded("t", nx)}))
    assert missing[0]["result"] == "permerror"
    timeout = Recorded("t", error=DnsTimeoutError(KEY_NAME, "TXT", "timed out"))
    assert (await verify_dkim(message, _resolver(**{KEY_NAME: timeout})))[0]["result"] == (
        "temperror"
    )
    assert await verify_dkim(b"Subject: unsigned\r\n\r\nhi\r\n", _key_resolver()) == []


async def test_sink_stores_analysis_with_profile_match(make_sink):
    profile = get_profile("trimble-identity")
    sink = await make_sink(analyzer=MessageAnalyzer(_key_resolver, profile), proxy_protocol=True)
    client = await RawClient.connect(sink.port, greeting=False)
    await client.send(b"PROXY TCP4 54.240.27.30 127.0.0.1 40000 25\r\n")
    await client.reply()
    await client.ehlo_mail_rcpt("bounce@account.trimble.com", "admin@company.example")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(_signed()))
    assert (await client.reply()).startswith("250")
    await client.close()
    await sink.handler.drain(10)
    (row,) = indexed(sink.maildir.path)
    analysis = row["analysis"]
    assert analysis["dkim"][0]["result"] == "pass"
    assert analysis["header_from"] == "no-reply@account.trimble.com"
    assert analysis["profile"]["from_sender"] == "no-reply@account.trimble.com"
    assert analysis["profile"]["network"] == "54.240.27.30/32"
    # The snapshot holds no SPF answers: a lookup that cannot complete is temperror, not "none".
    assert analysis["spf"]["result"] == "temperror"
    assert analysis["dmarc"]["result"] == "temperror"
    assert analysis["dmarc"]["detail"].startswith("policy lookup failed: ")
    assert "dkim=pass(sinktest.example)" in verdict(analysis)
    assert "ip=54.240.27.30/32" in verdict(analysis)
    shown = text_show(row)
    assert "  From:        no-reply@account.trimble.com\n" in shown
    assert "  DMARC:       temperror policy lookup failed: " in shown


async def _deliver_via_proxy(sink, client_ip: str, mail_from: str, message: bytes) -> None:
    client = await RawClient.connect(sink.port, greeting=False)
    await client.send(f"PROXY TCP4 {client_ip} 127.0.0.1 40000 25\r\n".encode())
    await client.reply()
    await client.ehlo_mail_rcpt(mail_from, "admin@company.example")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(message))
    assert (await client.reply()).startswith("250")
    await client.close()


async def test_spf_dkim_dmarc_through_the_loopback_dns_server(make_sink, nameserver):
    config = ResolverConfig((Nameserver("127.0.0.1", nameserver.port),), timeout=2.0)
    analyzer = MessageAnalyzer(lambda: LiveResolver(config), get_profile("trimble-identity"))
    sink = await make_sink(analyzer=analyzer, proxy_protocol=True)
    key = DkimKey.load("sinktest.example", "sel1", KEY_FILE)
    good = build_message("alerts@sinktest.example", "admin@company.example", dkim_key=key)
    await _deliver_via_proxy(sink, "54.240.27.30", "bounce@sinktest.example", good.data)
    forged = build_message("alerts@sinktest.example", "admin@company.example")
    await _deliver_via_proxy(sink, "192.0.2.99", "bounce@sinktest.example", forged.data)
    await sink.handler.drain(20)
    forged_row, good_row = indexed(sink.maildir.path)  # newest first
    good_a, forged_a = good_row["analysis"], forged_row["analysis"]
    assert good_a["dkim"][0]["result"] == "pass"
    assert (good_a["spf"]["result"], good_a["spf"]["domain"]) == ("pass", "sinktest.example")
    assert good_a["dmarc"]["result"] == "pass"
    assert good_a["dmarc"]["aligned_spf"] and good_a["dmarc"]["aligned_dkim"]
    assert good_a["dmarc"]["detail"] == "p=reject from _dmarc.sinktest.example"
    assert good_a["profile"]["network"] == "54.240.27.30/32"
    assert good_a["profile"]["from_sender"] is None  # sinktest.example is not a Trimble sender
    assert forged_a["dkim"] == []
    assert forged_a["spf"]["result"] == "fail"
    assert forged_a["dmarc"]["result"] == "fail"
    assert forged_a["dmarc"]["policy"] == "reject" and forged_a["dmarc"]["policy_would_act"]


async def test_dmarc_detail_says_when_no_record_exists():
    nx = {
        name: Recorded("t", Answer(name, RRType.TXT, Outcome.NXDOMAIN))
        for name in ("_dmarc.account.trimble.com", "_dmarc.trimble.com", "_dmarc.com")
    }
    spf = {"result": "none", "domain": "account.trimble.com"}
    author = Author("no-reply@account.trimble.com", "account.trimble.com")
    result = await dmarc_result(_resolver(**nx), author, spf, [])
    assert result["result"] == "none"
    assert result["detail"] == (
        "no DMARC record for account.trimble.com or its organizational domain"
    )
