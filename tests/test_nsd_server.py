"""A real NSD serving tests/data/zones/: every zone loads, and our test server agrees with it."""

from __future__ import annotations

from collections.abc import Callable

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from tests.nameserver import LoopbackNameserver
from tests.tooling import require_tool

TIMEOUT = 2.0
QUERY_METHODS = [dns.query.udp, dns.query.tcp]


def ask(
    method: Callable[..., dns.message.Message], host: str, port: int, name: str, rdtype: str
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype)
    return method(query, host, port=port, timeout=TIMEOUT)


def summary(response: dns.message.Message) -> tuple[object, ...]:
    """What both servers must agree on; NSD also adds NS and glue, which clients ignore."""
    answer = sorted(rrset.to_text().lower() for rrset in response.answer)
    negative_types = [rrset.rdtype for rrset in response.authority if not response.answer]
    return (response.rcode(), bool(response.flags & dns.flags.AA), answer, negative_types)


def test_all_zone_files_load_in_nsd(nsd_server):
    assert nsd_server.rejected_zones == {}
    assert "nstest.example." in nsd_server.origins


@pytest.mark.parametrize("method", QUERY_METHODS)
def test_nsd_answers_a_record(nsd_server, method):
    response = ask(method, nsd_server.host, nsd_server.port, "www.nstest.example", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert [rdata.to_text() for rdata in response.answer[0]] == ["192.0.2.10"]


@pytest.mark.parametrize("method", QUERY_METHODS)
def test_nsd_answers_nxdomain(nsd_server, method):
    response = ask(method, nsd_server.host, nsd_server.port, "nope.nstest.example", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.authority[0].rdtype == dns.rdatatype.SOA


@pytest.fixture(scope="module")
def loopback(zone_set):
    with LoopbackNameserver(zone_set) as server:
        yield server


@pytest.mark.parametrize(
    ("name", "rdtype"),
    [
        ("www.nstest.example", "A"),
        ("nope.nstest.example", "A"),
        ("txt-only.nstest.example", "A"),
        ("ent.nstest.example", "A"),
        ("multi.nstest.example", "TXT"),
        ("spf.nstest.example", "SPF"),
        ("_25._tcp.mx.nstest.example", "TLSA"),
        ("alias.nstest.example", "A"),
        ("alias.nstest.example", "CNAME"),
        ("loop1.nstest.example", "A"),
        ("dangling.nstest.example", "A"),
        ("outside.nstest.example", "A"),
        ("x.y.wild.nstest.example", "TXT"),
        ("exists.wild.nstest.example", "TXT"),
        ("a.exists.wild.nstest.example", "A"),
        ("big.nstest.example", "TXT"),
        ("example.com", "A"),
    ],
)
@pytest.mark.parametrize("method", QUERY_METHODS)
def test_loopback_server_agrees_with_nsd(nsd_server, loopback, method, name, rdtype):
    expected = ask(method, nsd_server.host, nsd_server.port, name, rdtype)
    actual = ask(method, loopback.host, loopback.port, name, rdtype)
    assert summary(actual) == summary(expected)
    assert bool(actual.flags & dns.flags.TC) == bool(expected.flags & dns.flags.TC)


@pytest.mark.parametrize(
    ("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)]
)
def test_require_tool_missing_skips_or_fails_under_ci(monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="Debian package no-such-pkg"):
        require_tool("no-such-tool-for-mailcheck", package="no-such-pkg")


def test_require_tool_finds_sbin_tools():
    assert require_tool("nsd").endswith("/nsd")
