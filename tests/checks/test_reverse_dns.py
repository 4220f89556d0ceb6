"""Reverse DNS check: PTR + FCrDNS over zone files (match, mismatch, no PTR, timeout) and
``evaluate`` on literal facts."""

from __future__ import annotations

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.reverse_dns import (
    IpReverse,
    PtrHost,
    ReverseDnsCheck,
    ReverseDnsFacts,
    evaluate,
    lookup_ip,
)
from mailcheck.rulefiles.profiles import get_profile
from tests.nameserver import Fault
from tests.sender_world import resolver_for


@pytest.mark.parametrize(
    ("ip", "code", "status"),
    [
        ("104.130.122.50", "PTR001", Status.PASS),  # mxa-122-50.mailgun.net -> same IP
        ("54.240.27.30", "PTR001", Status.PASS),  # a27-30.smtp-out.amazonses.com
        ("159.135.229.174", "PTR003", Status.WARN),  # PTR name resolves to .175
        ("69.72.43.9", "PTR002", Status.WARN),  # no PTR
    ],
)
async def test_ptr_outcomes_on_zones(world, ip, code, status):
    facts = ReverseDnsFacts("t", (await lookup_ip(resolver_for(world), ip),))
    (finding,) = evaluate(facts)
    assert (finding.code, finding.status, finding.subject) == (code, status, ip)


async def test_ptr_timeout_is_an_error_not_missing(world):
    world.faults.set("191.27.240.54.in-addr.arpa", Fault.DROP)
    facts = ReverseDnsFacts("t", (await lookup_ip(resolver_for(world, 0.3), "54.240.27.191"),))
    (finding,) = evaluate(facts)
    assert (finding.code, finding.status) == ("PTR004", Status.ERROR)


async def test_forward_servfail_is_an_error_not_mismatch(world):
    world.faults.set("mxa-122-50.mailgun.net", Fault.SERVFAIL)
    facts = ReverseDnsFacts("t", (await lookup_ip(resolver_for(world), "104.130.122.50"),))
    (finding,) = evaluate(facts)
    assert (finding.code, finding.status) == ("PTR004", Status.ERROR)


async def test_check_runs_every_documented_ip_of_the_profile(world):
    context = CheckContext("acme.example", resolver_for(world), get_profile("trimble-identity"))
    result = await ReverseDnsCheck().run(context)
    by_ip = {f.subject: f.code for f in result.findings}
    assert by_ip == {
        "104.130.122.50": "PTR001",
        "159.135.229.174": "PTR003",
        "69.72.43.9": "PTR002",
        "54.240.27.191": "PTR001",
        "54.240.27.30": "PTR001",
        "54.240.27.31": "PTR001",
    }
    assert len(result.facts.ips) == 6


async def test_check_without_profile_is_info():
    result = await ReverseDnsCheck().run(CheckContext("acme.example", _NoDns()))
    assert [(f.code, f.status) for f in result.findings] == [("PTR005", Status.INFO)]


class _NoDns:
    async def resolve(self, name, rrtype):
        raise AssertionError("no lookup expected without a profile")


@pytest.mark.parametrize(
    ("ip", "code"),
    [
        (IpReverse("2001:db8::1", "x", "ptr", (PtrHost("h", ("2001:db8:0::1",)),)), "PTR001"),
        (IpReverse("192.0.2.1", "x", "ptr", (PtrHost("h.example", ("not-an-ip",)),)), "PTR003"),
        (IpReverse("192.0.2.1", "x", "ptr", (PtrHost("h.example", error="timeout"),)), "PTR004"),
        (
            IpReverse(
                "192.0.2.1",
                "x",
                "ptr",
                (PtrHost("a.example", error="timeout"), PtrHost("b.example", ("192.0.2.1",))),
            ),
            "PTR001",
        ),
    ],
)  # fmt: skip
def test_evaluate_literal_facts(ip, code):
    (finding,) = evaluate(ReverseDnsFacts("t", (ip,)))
    assert finding.code == code
