"""Honest live DNS: a resolver that says NXDOMAIN (or SERVFAIL) to everything is reported as
broken, never as "the domain does not exist"; the suite's normal loopback zones stay healthy."""

from __future__ import annotations

import json
from pathlib import Path

import dns.message
import dns.rcode

from mailcheck.cli import main
from mailcheck.dns.health import check_resolver
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from tests.nameserver import LoopbackNameserver
from tests.nameserver.faults import Transport

ACME_SNAPSHOT = Path(__file__).parents[2] / "examples" / "acme.json"


class AnswersEverything(LoopbackNameserver):
    """A loopback server that gives one rcode to every question, like a broken forwarder."""

    def __init__(self, rcode: int) -> None:
        super().__init__()
        self.rcode = rcode

    def answer(self, query: dns.message.Message, transport: Transport) -> bytes | None:
        self.counters.record(transport, query.question[0] if query.question else None)
        reply = dns.message.make_response(query)
        reply.set_rcode(self.rcode)
        return reply.to_wire()


def resolver(port: int) -> LiveResolver:
    return LiveResolver(ResolverConfig((Nameserver("127.0.0.1", port),), timeout=5, retries=0))


async def test_nxdomain_for_everything_is_broken() -> None:
    with AnswersEverything(dns.rcode.NXDOMAIN) as server:
        health = await check_resolver(resolver(server.port))
    assert health.broken
    assert health.evidence == (
        ". SOA: NXDOMAIN (this name must exist)",
        "com NS: NXDOMAIN (this name must exist)",
    )


async def test_servfail_for_everything_is_broken() -> None:
    with AnswersEverything(dns.rcode.SERVFAIL) as server:
        health = await check_resolver(resolver(server.port))
    assert health.broken and "server answered SERVFAIL" in health.evidence[0]


async def test_the_suites_zones_are_healthy(nameserver, world) -> None:
    # ``nameserver`` refuses names outside its zones (REFUSED says nothing either way);
    # ``world`` serves a root zone, so the root SOA answers and "com" is NXDOMAIN.
    for server in (nameserver, world):
        health = await check_resolver(resolver(server.port))
        assert not health.broken, health.evidence


def test_report_against_a_broken_resolver_says_so(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    with AnswersEverything(dns.rcode.NXDOMAIN) as server:
        flags = ["--nameserver", f"127.0.0.1:{server.port}", "--timeout", "5"]
        code = main(["report", "acme.example", *flags, "--output", "out"])
    assert code == 4
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    codes = {f["code"] for f in data["findings"]}
    # every DNS-derived finding is "could not check"; only the profile's own page dates
    # (SRC*, read from the rules file, no lookup) keep their answer
    assert {c for c in codes if not c.startswith("SRC")} == {"RUN002"}
    assert "MX005" not in json.dumps(data)  # never "the domain does not exist"
    first = data["findings"][0]
    assert first["status"] == "error" and first["summary"].startswith("Could not check")
    assert ". SOA: NXDOMAIN (this name must exist)" in first["evidence"]
    # the replay of that evidence knows the resolver was broken, and writes the same report
    assert main(["report", "--replay", "out/evidence.json", "--output", "again"]) == 4
    again = (tmp_path / "again" / "report.json").read_text(encoding="utf-8")
    assert again == (tmp_path / "out" / "report.json").read_text(encoding="utf-8")


def test_snapshot_runs_do_not_probe(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT), "--output", "o"])
    assert code in (0, 1, 2)
    data = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert "RUN002" not in {f["code"] for f in data["findings"]}
