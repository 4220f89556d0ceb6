"""``check_host()`` and expansion over real DNS: tests/data/zones/spftest.example.zone served by
the loopback nameserver, queried through ``LiveResolver``."""

from __future__ import annotations

import ipaddress

import pytest

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.protocols.spf import SpfResult, check_host
from mailcheck.protocols.spf.expand import expand_record
from tests.nameserver import Fault


@pytest.fixture
def resolver(nameserver):
    return LiveResolver(ResolverConfig((Nameserver(*nameserver.address),), timeout=0.5, retries=0))


async def spf(resolver, ip, name):
    domain = f"{name}.spftest.example"
    return await check_host(resolver, ip, domain, f"user@{domain}")


async def test_include_chain_of_three_levels_passes_with_full_trace(resolver):
    outcome = await spf(resolver, "192.0.2.33", "chain3")
    assert outcome.result is SpfResult.PASS
    assert [r.domain for r in outcome.trace.walk()] == [
        "chain3.spftest.example",
        "l1.chain3.spftest.example",
        "l2.chain3.spftest.example",
        "l3.chain3.spftest.example",
    ]
    assert outcome.trace.terms[0].lookups == 3 and outcome.lookups == 3
    assert outcome.trace.walk()[-1].matched == "ip4:192.0.2.33"


async def test_include_chain_fails_other_address(resolver):
    outcome = await spf(resolver, "192.0.2.34", "chain3")
    assert outcome.result is SpfResult.FAIL and outcome.trace.matched == "-all"


async def test_exactly_ten_lookups_pass(resolver):
    outcome = await spf(resolver, "192.0.2.10", "ten")
    assert (outcome.result, outcome.lookups) == (SpfResult.PASS, 10)
    assert outcome.trace.terms[0].lookups == 5  # the include and its four a terms


async def test_eleven_lookups_permerror(resolver):
    outcome = await spf(resolver, "192.0.2.10", "eleven")
    assert outcome.result is SpfResult.PERMERROR
    assert "more than 10" in outcome.reason
    assert outcome.trace.terms[-1].term == "a:ok.spftest.example"


async def test_three_void_lookups_permerror_two_are_fine(resolver):
    assert (await spf(resolver, "192.0.2.10", "void2")).result is SpfResult.NEUTRAL
    outcome = await spf(resolver, "192.0.2.10", "void3")
    assert (outcome.result, outcome.void_lookups) == (SpfResult.PERMERROR, 3)


async def test_include_loop_permerror(resolver):
    outcome = await spf(resolver, "192.0.2.10", "loop1")
    assert outcome.result is SpfResult.PERMERROR and "loop" in outcome.reason


async def test_redirect_ignored_when_all_present(resolver, nameserver):
    outcome = await spf(resolver, "192.0.2.99", "redirall")
    assert outcome.result is SpfResult.NEUTRAL and outcome.trace.matched == "?all"
    assert nameserver.counters.count("redirtarget.spftest.example", "TXT") == 0
    assert (await spf(resolver, "192.0.2.99", "redironly")).result is SpfResult.PASS


async def test_macro_with_ipv6_client(resolver):
    outcome = await spf(resolver, "2001:db8::25", "macro6")
    assert outcome.result is SpfResult.PASS
    assert outcome.trace.terms[0].target.endswith(".0.0.0.0.8.b.d.0.1.0.0.2.ip6.bl.spftest.example")
    assert (await spf(resolver, "2001:db8::26", "macro6")).result is SpfResult.FAIL


@pytest.mark.parametrize("fault", [Fault.SERVFAIL, Fault.DROP])
async def test_dns_failure_mid_chain_is_temperror_not_fail(resolver, nameserver, fault):
    nameserver.faults.set("broken.spftest.example", fault)
    outcome = await spf(resolver, "203.0.113.1", "sfchain")
    assert outcome.result is SpfResult.TEMPERROR
    middle = outcome.trace.terms[0].child
    assert middle.result is SpfResult.TEMPERROR
    assert middle.terms[-1].child.result is SpfResult.TEMPERROR


async def test_two_spf_strings_in_one_txt_record_permerror(resolver):
    outcome = await spf(resolver, "192.0.2.1", "twostrings")
    assert outcome.result is SpfResult.PERMERROR and "syntax" in outcome.reason


async def test_two_spf_records_permerror(resolver):
    outcome = await spf(resolver, "192.0.2.1", "tworecords")
    assert outcome.result is SpfResult.PERMERROR and "2 v=spf1" in outcome.reason


async def test_each_record_fetched_once_per_run(resolver, nameserver):
    for ip in ("192.0.2.33", "192.0.2.34", "2001:db8:33::1"):
        await spf(resolver, ip, "chain3")
    assert nameserver.counters.count("l3.chain3.spftest.example", "TXT") == 1


async def test_expand_mailgun_style_chain(resolver):
    expanded = await expand_record(resolver, "mailgun.org")
    networks = {str(a.network) for a in expanded.authorized()}
    assert {"104.130.122.0/23", "159.135.224.0/20", "69.72.32.0/20"} <= networks
    assert len(networks) == 10 and expanded.ending == "~"
    deepest = next(a for a in expanded.authorized() if str(a.network) == "69.72.32.0/20")
    assert deepest.via[0] == "mailgun.org: include:_spf.mailgun.org"
    result, _why = expanded.static_result(ipaddress.ip_address("69.72.43.9"))
    assert result is SpfResult.PASS
    result, _why = expanded.static_result(ipaddress.ip_address("192.0.2.1"))
    assert result is SpfResult.SOFTFAIL


async def test_expand_marks_exists_and_macros_unexpandable(resolver):
    expanded = await expand_record(resolver, "macro6.spftest.example")
    assert expanded.unexpandable()[0][0].startswith("macro6.spftest.example: exists:")
    result, why = expanded.static_result(ipaddress.ip_address("2001:db8::25"))
    assert result is None and "depends on" in why


async def test_expand_lookup_failure_is_marked_not_guessed(resolver, nameserver):
    nameserver.faults.set("broken.spftest.example", Fault.SERVFAIL)
    expanded = await expand_record(resolver, "sfchain.spftest.example")
    inner = expanded.terms[0].child.terms[1].child
    assert inner.temporary and "SERVFAIL" in inner.error
    result, _why = expanded.static_result(ipaddress.ip_address("203.0.113.1"))
    assert result is SpfResult.TEMPERROR
