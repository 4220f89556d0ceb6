"""Inbound TLS posture end to end: loopback DNS (tests/data/zones) plus a loopback HTTPS server."""

from __future__ import annotations

import asyncio

import pytest

from mailcheck.app.report import report_checks
from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.tls import TlsPostureCheck
from mailcheck.dns.interface import Answer, RRType
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.protocols.https import FetchOptions
from tests.https_server import HANG, response, serve_https
from tests.nameserver import Fault
from tests.tlscerts import make_ca

DOMAIN = "sts.recv.example"
PATH = "/.well-known/mta-sts.txt"
GOOD = b"version: STSv1\r\nmode: enforce\r\nmx: *.sts.recv.example\r\nmax_age: 86400\r\n"


@pytest.fixture
def resolver(nameserver):
    host, port = nameserver.address
    return LiveResolver(ResolverConfig((Nameserver(host, port),), timeout=0.5, retries=0))


@pytest.fixture
def ca(tmp_path):
    return make_ca(tmp_path)


async def run(resolver, ca, domain, routes, timeout=5.0):
    async with serve_https(ca.issue(f"mta-sts.{domain}"), routes) as server:
        fetch = FetchOptions(
            port=server.port, timeout=timeout, ca_file=str(ca.ca_file), address="127.0.0.1"
        )
        result = await TlsPostureCheck(fetch).run(CheckContext(domain, resolver))
    return result, server


def codes(result):
    return [(f.code, f.status) for f in result.findings]


async def test_enforced_policy_covering_every_mx(resolver, ca):
    result, server = await run(resolver, ca, DOMAIN, {PATH: response("200 OK", GOOD)})
    assert server.requests == [PATH]
    assert codes(result) == [
        ("TLS001", Status.PASS),
        ("TLS009", Status.PASS),
        ("TLS012", Status.PASS),
        ("TLS013", Status.INFO),
    ]
    assert result.facts.sts.mode == "enforce"
    assert result.facts.sts.mx_patterns == ("*.sts.recv.example",)
    assert "mx2.sts.recv.example" in result.findings[3].summary


async def test_policy_missing_an_mx_fails_in_enforce_mode(resolver, ca):
    body = GOOD.replace(b"*.sts.recv.example", b"mx1.sts.recv.example")
    result, _ = await run(resolver, ca, DOMAIN, {PATH: response("200 OK", body)})
    finding = result.findings[0]
    assert (finding.code, finding.status) == ("TLS006", Status.FAIL)
    assert "mx2.sts.recv.example" in finding.summary


async def test_testing_mode_is_informational(resolver, ca):
    body = GOOD.replace(b"enforce", b"testing")
    result, _ = await run(resolver, ca, DOMAIN, {PATH: response("200 OK", body)})
    assert codes(result)[0] == ("TLS007", Status.INFO)


async def test_bad_policy(resolver, ca):
    body = b"version: STSv1\r\nmode: enforce\r\nmax_age: forever\r\n"
    result, _ = await run(resolver, ca, DOMAIN, {PATH: response("200 OK", body)})
    finding = result.findings[0]
    assert (finding.code, finding.status) == ("TLS005", Status.WARN)
    assert "max_age" in finding.detail and "no mx: line" in finding.detail


async def test_redirect_is_reported_and_not_followed(resolver, ca):
    redirect = response("302 Found", b"", extra=f"Location: https://mta-sts.{DOMAIN}/x\r\n")
    routes = {PATH: redirect, "/x": response("200 OK", GOOD)}
    result, server = await run(resolver, ca, DOMAIN, routes)
    assert server.requests == [PATH]
    finding = result.findings[0]
    assert (finding.code, finding.status) == ("TLS004", Status.WARN)
    assert result.facts.sts.fetch_kind == "redirect"


async def test_policy_server_timeout(resolver, ca):
    result, _ = await run(resolver, ca, DOMAIN, {PATH: HANG}, timeout=0.5)
    assert codes(result)[0] == ("TLS004", Status.WARN)
    assert result.facts.sts.fetch_kind == "timeout"


async def test_wrong_content_type(resolver, ca):
    routes = {PATH: response("200 OK", GOOD, content_type="text/html")}
    result, _ = await run(resolver, ca, DOMAIN, routes)
    assert result.facts.sts.fetch_kind == "content-type"


async def test_broken_records(resolver, ca):
    result, server = await run(resolver, ca, "broken.recv.example", {})
    assert server.requests == []  # two STS records: senders fetch nothing, nor do we
    assert codes(result) == [
        ("TLS003", Status.WARN),
        ("TLS011", Status.WARN),
        ("TLS014", Status.WARN),
    ]


async def test_no_mta_sts_at_all(resolver):
    result = await TlsPostureCheck().run(CheckContext("m365.recv.example", resolver))
    assert codes(result) == [
        ("TLS002", Status.INFO),
        ("TLS010", Status.INFO),
        ("TLS013", Status.INFO),
    ]


async def test_policy_host_without_address(resolver):
    check = TlsPostureCheck(FetchOptions(timeout=1))
    result = await check.run(CheckContext("nohost.recv.example", resolver))
    assert codes(result)[0] == ("TLS004", Status.WARN)
    assert result.facts.sts.fetch_kind == "dns"


async def test_dns_timeout_is_an_error_not_a_missing_record(resolver, nameserver):
    nameserver.faults.set(f"_mta-sts.{DOMAIN}", Fault.DROP)
    nameserver.faults.set(f"_25._tcp.mx1.{DOMAIN}", Fault.SERVFAIL)
    result = await TlsPostureCheck().run(CheckContext(DOMAIN, resolver))
    assert ("TLS008", Status.ERROR) in codes(result)
    assert ("TLS002", Status.INFO) not in codes(result)
    tlsa_errors = [f for f in result.findings if f.code == "TLS008" and f.subject.startswith("mx1")]
    assert tlsa_errors


async def test_snapshot_replay_does_not_fetch(resolver, ca):
    result, server = await run(resolver, ca, DOMAIN, {PATH: response("200 OK", GOOD)})
    offline = TlsPostureCheck(FetchOptions(enabled=False))
    replay = await offline.run(CheckContext(DOMAIN, resolver))
    assert codes(replay)[0] == ("TLS017", Status.INFO)
    assert server.requests == [PATH]  # only the live run fetched


def test_report_checks_disable_fetching_for_replay():
    [live] = [c for c in report_checks() if isinstance(c, TlsPostureCheck)]
    [replay] = [c for c in report_checks(fetch_policies=False) if isinstance(c, TlsPostureCheck)]
    assert live.fetch_options.enabled and not replay.fetch_options.enabled


async def test_policy_host_lookup_failure_is_an_error(resolver, nameserver):
    nameserver.faults.set(f"mta-sts.{DOMAIN}", Fault.SERVFAIL)
    result = await TlsPostureCheck().run(CheckContext(DOMAIN, resolver))
    assert codes(result)[0] == ("TLS004", Status.ERROR)
    assert result.facts.sts.fetch_kind == "dns-error"


class MxAfterTxt:
    """Passes lookups to the loopback resolver but holds the MX answer until both TXT records
    of the posture have been asked for: a check that waits for MX before asking them would
    wait forever, so the hold gives up after a bound and the MX lookup fails."""

    def __init__(self, inner: LiveResolver, domain: str) -> None:
        self.inner = inner
        self.waiting_for = {f"_mta-sts.{domain}", f"_smtp._tls.{domain}"}
        self.asked = asyncio.Event()
        self.held = False

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        if rrtype is RRType.TXT:
            self.waiting_for.discard(name)
            if not self.waiting_for:
                self.asked.set()
        if rrtype is RRType.MX:
            await asyncio.wait_for(self.asked.wait(), timeout=5)
            self.held = True
        return await self.inner.resolve(name, rrtype)


async def test_txt_records_are_asked_without_waiting_for_the_mx_answer(resolver):
    # Chained behind MX they cost every domain a round trip, and a domain whose servers never
    # answer a whole timeout more (half a bulk run's tail).
    gated = MxAfterTxt(resolver, DOMAIN)
    result = await TlsPostureCheck(FetchOptions(enabled=False)).run(CheckContext(DOMAIN, gated))
    assert gated.held
    assert result.facts.mx_hosts == ("mx1.sts.recv.example", "mx2.sts.recv.example")
