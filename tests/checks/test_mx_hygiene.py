"""MX hygiene findings (address classes, repeats, shared preferences, IPv6) on literal facts."""

from __future__ import annotations

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.mx_hygiene import MxHygieneCheck, address_class, evaluate_hygiene
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.facts.mx import MxFacts, MxHost


def codes(facts):
    return [(f.code, f.status) for f in evaluate_hygiene(facts)]


def mx(*hosts):
    records = tuple(f"{h.preference} {h.exchange}" for h in hosts)
    return MxFacts("d.example", "mx", records, hosts)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("52.101.68.20", "public"),
        ("2a01:111:f403:c902::1", "public"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "special-purpose"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "documentation"),
        ("2001:db8::1", "documentation"),
        ("::ffff:10.0.0.1", "ipv4-mapped"),
        ("not-an-ip", "invalid"),
    ],
)
def test_address_class_names_the_range(address, expected):
    assert address_class(address) == expected


def test_private_address_warns_when_another_host_is_public():
    facts = mx(MxHost("a.d.example", 10, ("10.0.0.5",)), MxHost("b.d.example", 20, ("52.1.1.1",)))
    findings = evaluate_hygiene(facts)
    assert findings[0].code == "MX011" and findings[0].status is Status.WARN
    assert findings[0].evidence == ("10.0.0.5 (private)",)


def test_only_unreachable_addresses_fail():
    facts = mx(MxHost("a.d.example", 10, ("127.0.0.1", "fe80::1")))
    assert codes(facts)[0] == ("MX011", Status.FAIL)


def test_documentation_address_is_informational():
    facts = mx(MxHost("a.d.example", 10, ("192.0.2.1",)))
    assert codes(facts) == [("MX012", Status.INFO), ("MX015", Status.INFO)]


def test_repeated_host_and_shared_preference():
    a, b = MxHost("a.d.example", 10, ("52.1.1.1",)), MxHost("b.d.example", 10, ("52.1.1.2",))
    again = MxHost("a.d.example", 20, ("52.1.1.1",))
    result = codes(mx(a, b, again))
    assert ("MX013", Status.WARN) in result
    assert ("MX014", Status.INFO) in result


def test_same_host_twice_at_one_preference_is_not_load_sharing():
    a = MxHost("a.d.example", 10, ("52.1.1.1",))
    assert [c for c, _ in codes(mx(a, a))] == ["MX013", "MX015"]


@pytest.mark.parametrize(
    ("hosts", "expected", "summary"),
    [
        ((("52.1.1.1", "2a00::1"), ("52.1.1.2", "2a00::2")), Status.PASS, "All 2"),
        ((("52.1.1.1", "2a00::1"), ("52.1.1.2",)), Status.INFO, "1 of 2"),
        ((("52.1.1.1",), ("52.1.1.2",)), Status.INFO, "No MX host"),
    ],
)
def test_ipv6_coverage(hosts, expected, summary):
    facts = mx(*(MxHost(f"h{i}.d.example", 10 * i, a) for i, a in enumerate(hosts)))
    finding = evaluate_hygiene(facts)[-1]
    assert (finding.code, finding.status) == ("MX015", expected)
    assert finding.summary.startswith(summary)


@pytest.mark.parametrize("state", ["null", "none", "nxdomain", "error"])
def test_no_hygiene_findings_without_mx_hosts(state):
    assert evaluate_hygiene(MxFacts("d.example", state)) == ()


async def test_hygiene_check_over_dns(nameserver):
    host, port = nameserver.address
    resolver = LiveResolver(ResolverConfig((Nameserver(host, port),), timeout=0.5, retries=0))
    result = await MxHygieneCheck().run(CheckContext("good.mxcases.example", resolver))
    assert [(f.code, f.status) for f in result.findings] == [
        ("MX012", Status.INFO),
        ("MX012", Status.INFO),
        ("MX015", Status.INFO),
    ]
    assert result.facts.ipv6_hosts == ("mx2.good.mxcases.example",)
    assert result.facts.address_classes["mx1.good.mxcases.example"] == {
        "192.0.2.11": "documentation"
    }
