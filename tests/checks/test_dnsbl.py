"""DNSBL check over imitation lists: listed, not listed, refusal codes, answers outside
127/8, failed RFC 5782 self-tests, timeouts, IPv6, and shared-infrastructure wording."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from mailcheck.app.rulebook import validate_paths
from mailcheck.base.errors import ProfileError
from mailcheck.base.model import Status
from mailcheck.checks.dnsbl import DnsblCheck, classify, gather
from mailcheck.checks.dnsbl_findings import evaluate
from mailcheck.checks.interface import CheckContext
from mailcheck.facts.dnsbl import DnsblFacts, Lookup, ZoneFacts
from mailcheck.rulefiles.dnsbl_zones import (
    DnsblZone,
    ReturnCode,
    load_dnsbl_rules,
    rules_from_document,
)
from mailcheck.rulefiles.loader import RulesDocument
from mailcheck.rulefiles.profiles import get_profile
from tests.nameserver import Fault
from tests.sender_world import resolver_for

CODES = tuple(
    ReturnCode(ipaddress.IPv4Network(net), meaning, refusal)
    for net, meaning, refusal in [
        ("127.0.0.2/32", "test listing", False),
        ("127.0.0.4/32", "exploited host", False),
        ("127.255.255.0/24", "error code, not a listing", True),
        ("127.255.255.254/32", "query via a public resolver", True),
        ("127.255.255.255/32", "excessive number of queries", True),
    ]
)
LISTED_IP, CLEAR_IP, LEAKY_IP = "104.130.122.50", "69.72.43.9", "159.135.229.174"


def edge(name: str, ipv6: bool = False) -> DnsblZone:
    return DnsblZone(
        f"{name}.dnsbl.example", "Tests", "https://t.example", "test terms", ipv6, CODES
    )


async def run(world, zones, ips=(LISTED_IP, CLEAR_IP), timeout=0.5):
    facts = await gather("t", ips, tuple(zones), resolver_for(world, timeout))
    return facts, evaluate(facts)


def codes(findings):
    return sorted((f.code, f.status, f.subject) for f in findings)


async def test_listed_and_not_listed(world):
    _, findings = await run(world, [edge("listed")])
    assert codes(findings) == [
        ("BL001", Status.PASS, CLEAR_IP),
        ("BL002", Status.WARN, LISTED_IP),
    ]
    listed = next(f for f in findings if f.code == "BL002")
    assert "test listing" in listed.summary


async def test_ipv6_nibble_lookup_and_self_test(world):
    _, findings = await run(world, [edge("listed", ipv6=True)], ips=("2001:db8::25",))
    assert codes(findings) == [("BL002", Status.WARN, "2001:db8::25")]
    assert "exploited host" in findings[0].summary


async def test_ipv6_on_an_ipv4_only_list_is_skipped(world):
    _, findings = await run(world, [edge("listed")], ips=("2001:db8::25",))
    assert codes(findings) == [("BL007", Status.INFO, "2001:db8::25")]


async def test_refusal_code_at_self_test_is_an_error_and_no_ip_is_queried(world):
    facts, findings = await run(world, [edge("refusing"), edge("listed")], ips=(CLEAR_IP,))
    assert codes(findings) == [
        ("BL001", Status.PASS, CLEAR_IP),
        ("BL003", Status.ERROR, "refusing.dnsbl.example"),
    ]
    refused = next(f for f in findings if f.code == "BL003")
    assert "public resolver" in " ".join(refused.evidence)
    assert facts.zones[0].lookups == ()
    assert not any(
        n.endswith("refusing.dnsbl.example") and CLEAR_IP.split(".")[0] in n
        for n, _ in world.counters.by_query()
    )


async def test_spamhaus_127_255_255_255_for_an_ip_is_an_error_never_listed(world):
    _, findings = await run(world, [edge("throttled")])
    assert codes(findings) == [
        ("BL001", Status.PASS, CLEAR_IP),
        ("BL003", Status.ERROR, LISTED_IP),
    ]
    assert "excessive" in findings[0].summary + findings[1].summary


async def test_answer_outside_127_8_is_a_rewriting_resolver(world):
    _, findings = await run(world, [edge("leaky")], ips=(LEAKY_IP,))
    assert codes(findings) == [("BL004", Status.ERROR, LEAKY_IP)]
    _, findings = await run(world, [edge("rewriting"), edge("listed")], ips=(CLEAR_IP,))
    assert ("BL004", Status.ERROR, "rewriting.dnsbl.example") in codes(findings)


@pytest.mark.parametrize("name", ["dead", "listall"])
async def test_failed_self_test_means_the_list_is_not_trusted(world, name):
    facts, findings = await run(world, [edge(name), edge("listed")], ips=(CLEAR_IP,))
    assert codes(findings) == [
        ("BL001", Status.PASS, CLEAR_IP),
        ("BL005", Status.ERROR, f"{name}.dnsbl.example"),
    ]
    assert facts.zones[0].lookups == ()


async def test_self_test_timeout_is_an_error(world):
    world.faults.set("2.0.0.127.listed.dnsbl.example", Fault.DROP)
    _, findings = await run(world, [edge("listed"), edge("dead")], timeout=0.3)
    assert codes(findings) == [("BL009", Status.INFO, "")]


async def test_every_list_failing_is_one_informational_finding(world):
    zones = [edge("dead"), edge("listall"), edge("rewriting")]
    _, findings = await run(world, zones)
    assert codes(findings) == [("BL009", Status.INFO, "")]
    (finding,) = findings
    assert finding.summary.startswith("No blocklist could be used: all 3 DNSBLs failed")
    assert f"not checked: {LISTED_IP}" in finding.evidence
    assert any(e.startswith("rewriting.dnsbl.example: rewritten") for e in finding.evidence)


async def test_every_list_failing_leaves_the_exit_code_alone(world):
    from mailcheck.cli.base import STATUS_EXIT

    _, findings = await run(world, [edge("dead")])
    worst = max((f.status for f in findings), key=lambda s: s.severity)
    assert STATUS_EXIT[worst] == 0


async def test_ip_lookup_servfail_is_an_error(world):
    world.faults.set("9.43.72.69.listed.dnsbl.example", Fault.SERVFAIL)
    _, findings = await run(world, [edge("listed")])
    assert ("BL006", Status.ERROR, CLEAR_IP) in codes(findings)


async def test_profile_on_the_shipped_lists(world):
    context = CheckContext("acme.example", resolver_for(world), get_profile("trimble-identity"))
    result = await DnsblCheck().run(context)
    found = codes(result.findings)
    assert ("BL002", Status.WARN, "54.240.27.191") in found  # SpamCop imitation lists it
    listing = next(f for f in result.findings if f.code == "BL002")
    assert any("spamcop.net/bl.shtml?54.240.27.191" in e for e in listing.evidence)
    assert [c for c in found if c[0] == "BL001"] == [
        ("BL001", Status.PASS, ip)
        for ip in sorted(["104.130.122.50", "159.135.229.174", "69.72.43.9", "54.240.27.30",
                          "54.240.27.31"])
    ]  # fmt: skip
    assert {z.zone: z.self_test for z in result.facts.zones} == {
        "zen.spamhaus.org": "ok",
        "bl.spamcop.net": "ok",
        "b.barracudacentral.org": "ok",
    }


def test_listing_of_a_shared_ip_names_the_service_and_says_not_to_allowlist():
    facts = DnsblFacts(
        "t",
        ("54.240.27.191",),
        (_zone_with_listing("54.240.27.191"),),
    )
    (plain,) = evaluate(facts)
    (shared,) = evaluate(facts, {"54.240.27.191": "Amazon SES"})
    assert "Amazon SES" not in plain.summary
    assert "shared Amazon SES infrastructure" in shared.summary
    assert "not a reason to allowlist" in shared.detail and "vendor" in shared.detail


def _zone_with_listing(ip):
    lookup = Lookup(ip, "q", "listed", ("127.0.0.2",), ("SpamCop listing",))
    return ZoneFacts("bl.spamcop.net", "SpamCop", "terms", "https://x", "ok", (), (lookup,))


def test_shipped_rules_validate():
    rules = load_dnsbl_rules()
    assert {z.zone for z in rules.zones} == {
        "zen.spamhaus.org",
        "bl.spamcop.net",
        "b.barracudacentral.org",
    }
    zen = next(z for z in rules.zones if z.zone == "zen.spamhaus.org")
    code = zen.code_for(ipaddress.IPv4Address("127.255.255.254"))
    assert code is not None and code.refusal and "public" in code.meaning
    assert [err for _, err in validate_paths([Path("rules/dnsbl.toml")])] == [None]


@pytest.mark.parametrize(
    ("codes_table", "message"),
    [
        ({"answer": "10.0.0.2", "meaning": "x"}, "127.0.0.0/8"),
        ({"answer": "127.0.0.1/24", "meaning": "x"}, "host bits"),
        ({"answer": "127.0.0.2", "meaning": "x", "colour": "red"}, "unknown key"),
    ],
)
def test_bad_rules_are_refused(codes_table, message):
    data = {
        "kind": "dnsbl-zones",
        "format_version": 1,
        "zones": [
            {"zone": "l.example", "operator": "o", "url": "https://o.example", "usage": "u",
             "codes": [codes_table]}
        ],
    }  # fmt: skip
    with pytest.raises(ProfileError, match=message):
        rules_from_document(RulesDocument(Path("x.toml"), data, "0"))


@pytest.mark.parametrize(
    ("answers", "state"),
    [
        (("127.0.0.2",), "listed"),
        (("127.0.0.77",), "listed"),  # undocumented code: still a listing, said so
        (("127.0.0.2", "127.255.255.254"), "refused"),
        (("127.0.0.2", "10.0.0.1"), "rewritten"),
        (("::1",), "rewritten"),
    ],
)
def test_classify(answers, state):
    assert classify(edge("x"), answers)[0] == state


def test_undocumented_code_is_named():
    assert "not documented" in classify(edge("x"), ("127.0.0.77",))[1][0]


async def test_without_profile_is_info():
    result = await DnsblCheck().run(CheckContext("acme.example", _NoDns()))
    assert [(f.code, f.status) for f in result.findings] == [("BL008", Status.INFO)]


class _NoDns:
    async def resolve(self, name, rrtype):
        raise AssertionError("no lookup expected without a profile")


async def test_check_names_the_shared_service_of_a_listed_ip(world):
    """The check itself asks shared-infrastructure who sends from a listed IP."""
    from mailcheck.checks import CheckContext
    from mailcheck.checks.dnsbl import DnsblCheck
    from mailcheck.rulefiles.profiles import get_profile

    context = CheckContext("acme.example", resolver_for(world), get_profile("trimble-identity"))
    result = await DnsblCheck().run(context)
    listed = [f for f in result.findings if f.code == "BL002"]
    assert listed and all("shared Amazon SES infrastructure" in f.summary for f in listed)
