"""Reports over the wire: the loopback nameserver serves the hostile and showcase zones.

A live run then ``--replay`` of its evidence must write the same bytes, and the hostile
strings must reach the HTML escaped whichever path (live or zone-file replay) they took.
"""

from __future__ import annotations

import pytest
from markupsafe import escape
from reportdata import FIXED_TIME, PAYLOADS, EchoCheck, ZoneResolver, files

from mailcheck.app.build import build_report
from mailcheck.checks.mx import MxCheck
from mailcheck.cli import main
from mailcheck.dns.interface import RRType
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import RecordingResolver
from mailcheck.report.html import HtmlRenderer


def server_flag(nameserver) -> str:
    return f"127.0.0.1:{nameserver.port}"


@pytest.mark.parametrize("domain", ["xss.example", "html.example"])
def test_live_report_then_replay_is_identical(nameserver, tmp_path, monkeypatch, capsys, domain):
    monkeypatch.chdir(tmp_path)
    live = ["report", domain, "--nameserver", server_flag(nameserver), "--timeout", "5"]
    code = main([*live, "--output", "live"])
    assert code in (0, 1, 2, 4)  # 4: a lookup timed out on a loaded machine; still replayable
    assert main(["report", "--replay", "live/evidence.json", "--output", "again"]) == code
    assert files(tmp_path / "again") == files(tmp_path / "live")
    assert "Report: again/report.html" in capsys.readouterr().out


async def test_live_answers_match_the_zone_resolver(nameserver) -> None:
    config = ResolverConfig((Nameserver("127.0.0.1", nameserver.port),), timeout=2, retries=1)
    zone = ZoneResolver("xss.example")
    live = LiveResolver(config)
    names = [("xss.example", t) for t in ("MX", "TXT")] + [
        ("ptr.xss.example", "PTR"),
        ("ptr2.xss.example", "PTR"),
    ]
    for name, rrtype in names:
        wire, local = (
            await live.resolve(name, RRType(rrtype)),
            await zone.resolve(name, RRType(rrtype)),
        )
        assert sorted(wire.records) == sorted(local.records)
        assert (wire.outcome, wire.ttl) == (local.outcome, local.ttl)


async def test_live_hostile_data_is_escaped_in_html(nameserver) -> None:
    config = ResolverConfig((Nameserver("127.0.0.1", nameserver.port),), timeout=2, retries=1)
    resolver = RecordingResolver(LiveResolver(config), clock=lambda: FIXED_TIME)
    report = await build_report("xss.example", resolver, None, (MxCheck(), EchoCheck()))
    html = HtmlRenderer().render(report)
    assert "<script>alert" not in html and "<img src=x" not in html
    for payload in PAYLOADS:
        assert str(escape(payload)) in html
    assert html.count("<script>") == 1
