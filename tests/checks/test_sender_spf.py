"""Sender SPF matrix: ``evaluate`` on literal facts, and the whole check over the loopback
nameserver serving the Trimble-, Mailgun- and SES-style zones."""

from __future__ import annotations

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.sender_spf import SenderSpfCheck
from mailcheck.checks.sender_spf_findings import evaluate
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.facts.sender_spf import Authorized, DomainSpf, IpVerdict, SenderSpfFacts
from mailcheck.rulefiles.profiles import get_profile
from tests.nameserver import Fault

NETWORKS = (("192.0.2.10/32", True), ("192.0.2.11/32", True), ("198.51.100.0/24", False))
LISTED = ("192.0.2.10", "192.0.2.11")


def facts(domain: DomainSpf) -> SenderSpfFacts:
    return SenderSpfFacts("p", LISTED, NETWORKS, (domain,))


def spf(record="v=spf1 ip4:192.0.2.10/31 -all", verdicts=("pass", "pass"), **extra) -> DomainSpf:
    values = {
        "domain": "s.example",
        "role": "sender",
        "environment": "production",
        "record": record,
        "ending": "-",
        "authorized": (Authorized("192.0.2.10/31", ("s.example: ip4:192.0.2.10/31",)),),
        "verdicts": tuple(IpVerdict(ip, r) for ip, r in zip(LISTED, verdicts, strict=True)),
    }
    values.update(extra)
    return DomainSpf(**values)


def codes(domain: DomainSpf) -> list[tuple[str, Status]]:
    return [(f.code, f.status) for f in evaluate(facts(domain))]


def test_all_listed_pass_and_undocumented_range_not_authorized():
    assert codes(spf()) == [("SPF001", Status.PASS), ("SPF011", Status.WARN)]


@pytest.mark.parametrize(
    ("result", "status"),
    [("fail", Status.FAIL), ("softfail", Status.WARN), ("neutral", Status.WARN)],
)
def test_listed_ip_not_authorized(result, status):
    found = evaluate(facts(spf(verdicts=("pass", result))))
    assert [(f.code, f.status, f.subject) for f in found if f.code == "SPF002"] == [
        ("SPF002", status, "192.0.2.11")
    ]
    assert not any(f.code == "SPF001" for f in found)


def test_drift_lists_unlisted_ranges_with_their_include_chain():
    wide = Authorized(
        "203.0.113.0/24", ("s.example: include:esp.example", "esp.example: ip4:203.0.113.0/24")
    )
    found = evaluate(facts(spf(authorized=(*spf().authorized, wide))))
    drift = next(f for f in found if f.code == "SPF003")
    assert drift.status is Status.WARN and "authorizes 1 range (256 addresses) " in drift.summary
    assert drift.evidence == (
        "203.0.113.0/24 via s.example: include:esp.example -> esp.example: ip4:203.0.113.0/24",
    )


def test_undocumented_range_inside_live_spf_is_info():
    wide = Authorized("198.51.100.0/22", ("s.example: ip4:198.51.100.0/22",))
    found = evaluate(facts(spf(authorized=(*spf().authorized, wide))))
    assert ("SPF011", Status.INFO) in [(f.code, f.status) for f in found]


def test_no_spf_record():
    domain = spf(
        record="", verdicts=("none", "none"), error="no SPF record at s.example", authorized=()
    )
    assert codes(domain) == [("SPF004", Status.WARN)]


@pytest.mark.parametrize(
    ("ending", "code", "status"), [("+", "SPF005", Status.FAIL), ("?", "SPF010", Status.WARN)]
)
def test_permissive_endings(ending, code, status):
    assert (code, status) in codes(spf(ending=ending))


def test_temperror_is_error_not_missing():
    domain = spf(verdicts=("temperror", "temperror"))
    domain = DomainSpf(
        **{
            **domain.__dict__,
            "verdicts": tuple(
                IpVerdict(ip, "temperror", reason="s.example/TXT: server answered SERVFAIL")
                for ip in LISTED
            ),
        }
    )
    assert codes(domain) == [("SPF006", Status.ERROR)]


def test_permerror_is_fail():
    domain = spf(verdicts=("permerror", "permerror"), error="2 v=spf1 records (permerror)")
    assert codes(domain) == [("SPF007", Status.FAIL)]


async def test_skips_without_profile():
    result = await SenderSpfCheck().run(CheckContext("acme.example", None))  # type: ignore[arg-type]
    assert [(f.code, f.status) for f in result.findings] == [("SPF009", Status.INFO)]


@pytest.fixture
def resolver(nameserver):
    return LiveResolver(ResolverConfig((Nameserver(*nameserver.address),), timeout=0.5, retries=0))


async def test_matrix_over_trimble_like_zones(resolver, nameserver):
    profile = get_profile("trimble-identity")
    result = await SenderSpfCheck().run(CheckContext("acme.example", resolver, profile))
    found = {(f.code, f.subject) for f in result.findings}
    assert ("SPF001", "account.trimble.com") in found
    assert ("SPF003", "account.trimble.com") in found  # Mailgun + SES ranges beyond the list
    assert ("SPF004", "account.stage.identity.trimblecloud.com") in found
    assert {("SPF002", ip) for ip in ("54.240.27.191", "54.240.27.30", "54.240.27.31")} <= found
    domains = {d.domain: d for d in result.facts.domains}
    verdict = domains["account.trimble.com"].verdicts[0]
    child = verdict.trace.terms[0].child
    assert verdict.result == "pass" and child.domain == "mailgun.org"
    # one resolver, one cache: each record fetched once for the whole matrix
    assert nameserver.counters.count("_spf3.mailgun.org", "TXT") == 1
    assert nameserver.counters.count("amazonses.com", "TXT") == 1


async def test_matrix_servfail_is_error_finding(resolver, nameserver):
    nameserver.faults.set("_spf2.mailgun.org", Fault.SERVFAIL)
    profile = get_profile("trimble-identity")
    result = await SenderSpfCheck().run(CheckContext("acme.example", resolver, profile))
    errors = [f for f in result.findings if f.code == "SPF006"]
    assert {f.subject for f in errors} == {
        "account.trimble.com",
        "account.stage.utilities.trimblecloud.com",
    }
    assert all(f.status is Status.ERROR and "SERVFAIL" in f.evidence[0] for f in errors)


async def test_envelope_domains_join_the_matrix(resolver):
    import dataclasses

    profile = dataclasses.replace(
        get_profile("trimble-identity"), envelope_domains=("mailgun.org",)
    )
    result = await SenderSpfCheck().run(CheckContext("acme.example", resolver, profile))
    envelope = [d for d in result.facts.domains if d.role == "envelope"]
    assert [d.domain for d in envelope] == ["mailgun.org"]
    assert [v.result for v in envelope[0].verdicts][:3] == ["pass", "pass", "pass"]
