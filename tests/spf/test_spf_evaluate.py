"""``check_host()`` on an in-memory resolver: results, trace tree, limits, DNS errors."""

from __future__ import annotations

import pytest

from mailcheck.base.errors import DnsServerError, DnsTimeoutError
from mailcheck.dns.interface import RRType
from mailcheck.protocols.spf import SpfResult, check_host
from tests.dictresolver import DictResolver

TXT, A, AAAA, MX, PTR = RRType.TXT, RRType.A, RRType.AAAA, RRType.MX, RRType.PTR


def _resolver(**extra) -> DictResolver:
    data = {
        ("example.com", TXT): ("v=spf1 include:_spf.example.com mx -all",),
        ("_spf.example.com", TXT): ("v=spf1 ip4:192.0.2.0/24 include:_spf2.example.com ~all",),
        ("_spf2.example.com", TXT): ("v=spf1 ip6:2001:db8::/32 a:relay.example.com",),
        ("relay.example.com", A): ("198.51.100.7",),
        ("example.com", MX): ("10 mx.example.com",),
        ("mx.example.com", A): ("203.0.113.9",),
    }
    data.update(extra)
    return DictResolver(data)


async def test_include_pass_is_traced_with_matching_term():
    outcome = await check_host(_resolver(), "192.0.2.10", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PASS
    top = outcome.trace
    assert top.matched == "include:_spf.example.com"
    include = top.terms[0]
    assert include.matched and include.lookups == 1 and include.child is not None
    assert include.child.matched == "ip4:192.0.2.0/24"
    assert outcome.lookups == 1


async def test_nested_include_counts_lookups_per_term():
    outcome = await check_host(_resolver(), "198.51.100.7", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PASS
    include = outcome.trace.terms[0]
    assert include.lookups == 3  # include, the nested include, and its a
    inner = include.child.terms[1].child
    assert inner.matched == "a:relay.example.com"
    assert "198.51.100.7" in inner.terms[1].note
    assert [r.domain for r in outcome.trace.walk()] == [
        "example.com",
        "_spf.example.com",
        "_spf2.example.com",
    ]


async def test_fail_gives_default_explanation_and_mx_trace():
    outcome = await check_host(
        _resolver(), "192.0.2.200", "example.com", "a@example.com", default_explanation="nope"
    )
    assert outcome.result is SpfResult.PASS  # inside 192.0.2.0/24
    outcome = await check_host(
        _resolver(), "203.0.113.10", "example.com", "a@example.com", default_explanation="nope"
    )
    assert (outcome.result, outcome.explanation) == (SpfResult.FAIL, "nope")
    assert outcome.trace.matched == "-all"
    assert not outcome.trace.terms[1].matched and "203.0.113.9" in outcome.trace.terms[1].note


async def test_ipv6_client_uses_aaaa_and_ip6():
    outcome = await check_host(_resolver(), "2001:db8::25", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PASS


@pytest.mark.parametrize(
    "error",
    [DnsServerError("_spf2.example.com", "TXT", "SERVFAIL"), DnsTimeoutError("x", "TXT", "t")],
)
async def test_dns_error_mid_chain_is_temperror_not_fail(error):
    resolver = _resolver()
    resolver.data[("_spf2.example.com", TXT)] = error
    outcome = await check_host(resolver, "203.0.113.10", "example.com", "a@example.com")
    assert outcome.result is SpfResult.TEMPERROR
    assert outcome.trace.terms[-1].child.terms[-1].child.result is SpfResult.TEMPERROR


async def test_top_level_timeout_is_temperror_not_none():
    resolver = DictResolver({("example.com", TXT): DnsTimeoutError("example.com", "TXT", "t")})
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "a@example.com")
    assert outcome.result is SpfResult.TEMPERROR


async def test_no_record_and_nxdomain_are_none():
    resolver = DictResolver({("example.com", A): ("192.0.2.1",)})
    assert (await check_host(resolver, "192.0.2.1", "example.com", "a@example.com")).result is (
        SpfResult.NONE
    )
    assert (
        await check_host(resolver, "192.0.2.1", "nx.example.com", "a@nx.example.com")
    ).result is (SpfResult.NONE)


async def test_two_spf_records_are_permerror():
    resolver = DictResolver({("example.com", TXT): ("v=spf1 -all", "v=spf1 +all", "other")})
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PERMERROR and "2 v=spf1" in outcome.reason


async def test_eleventh_lookup_is_permerror_and_tenth_is_fine():
    ten = " ".join(f"a:h{i}.example.com" for i in range(9)) + " a:ok.example.com -all"
    data = {("ok.example.com", A): ("192.0.2.1",)}
    data |= {(f"h{i}.example.com", A): ("198.51.100.1",) for i in range(10)}
    resolver = DictResolver({("example.com", TXT): (f"v=spf1 {ten}",), **data})
    assert (await check_host(resolver, "192.0.2.1", "example.com", "a@example.com")).lookups == 10
    eleven = " ".join(f"a:h{i}.example.com" for i in range(10)) + " a:ok.example.com -all"
    resolver = DictResolver({("example.com", TXT): (f"v=spf1 {eleven}",), **data})
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PERMERROR and "more than 10" in outcome.reason


async def test_third_void_lookup_is_permerror():
    record = "v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com ?all"
    resolver = DictResolver({("example.com", TXT): (record,)})
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PERMERROR
    assert outcome.void_lookups == 3 and outcome.trace.terms[2].void_lookups == 1


async def test_include_loop_is_permerror_with_chain():
    resolver = DictResolver(
        {
            ("a.example.com", TXT): ("v=spf1 include:b.example.com -all",),
            ("b.example.com", TXT): ("v=spf1 include:a.example.com -all",),
        }
    )
    outcome = await check_host(resolver, "192.0.2.1", "a.example.com", "x@a.example.com")
    assert outcome.result is SpfResult.PERMERROR
    assert "a.example.com -> b.example.com -> a.example.com" in outcome.reason


async def test_redirect_ignored_when_record_has_all():
    resolver = DictResolver(
        {
            ("example.com", TXT): ("v=spf1 ?all redirect=r.example.com",),
            ("r.example.com", TXT): ("v=spf1 +all",),
        }
    )
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "x@example.com")
    assert outcome.result is SpfResult.NEUTRAL and outcome.lookups == 0
    assert resolver.queries.count(("r.example.com", TXT)) == 0


async def test_redirect_result_and_its_exp():
    resolver = DictResolver(
        {
            ("example.com", TXT): ("v=spf1 exp=e1.example.com redirect=r.example.com",),
            ("r.example.com", TXT): ("v=spf1 -all exp=e2.example.com",),
            ("e1.example.com", TXT): ("wrong",),
            ("e2.example.com", TXT): ("%{i} may not send for %{d} (%{c})",),
        }
    )
    outcome = await check_host(resolver, "2001:db8::1", "example.com", "x@example.com")
    assert outcome.result is SpfResult.FAIL
    assert outcome.explanation.startswith("2.0.0.1.0.d.b.8.0.0.0.0")
    assert outcome.explanation.endswith(" may not send for r.example.com (2001:db8::1)")
    assert outcome.trace.matched.startswith("redirect=")


async def test_mx_more_than_ten_records_is_permerror():
    records = tuple(f"{i} mx{i}.example.com" for i in range(11))
    resolver = DictResolver(
        {("example.com", TXT): ("v=spf1 mx -all",), ("example.com", MX): records}
    )
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "x@example.com")
    assert outcome.result is SpfResult.PERMERROR


async def test_ptr_matches_validated_name_and_dns_errors_do_not_temperror():
    resolver = DictResolver(
        {
            ("example.com", TXT): ("v=spf1 ptr -all",),
            ("1.2.0.192.in-addr.arpa", PTR): ("bad.example.com", "mail.example.com"),
            ("mail.example.com", A): ("192.0.2.1",),
            ("bad.example.com", A): DnsServerError("bad.example.com", "A", "SERVFAIL"),
        }
    )
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "x@example.com")
    assert outcome.result is SpfResult.PASS


async def test_exists_with_ipv6_macro():
    name = ".".join("20010db8000000000000000000000001"[::-1]) + ".bl.example.com"
    resolver = DictResolver(
        {
            ("example.com", TXT): ("v=spf1 exists:%{ir}.bl.example.com -all",),
            (name, A): ("127.0.0.2",),
        }
    )
    outcome = await check_host(resolver, "2001:db8::1", "example.com", "x@example.com")
    assert outcome.result is SpfResult.PASS and outcome.trace.terms[0].target == name


async def test_ipv4_mapped_client_is_ipv4():
    resolver = DictResolver({("example.com", TXT): ("v=spf1 ip4:192.0.2.0/24 -all",)})
    outcome = await check_host(resolver, "::ffff:192.0.2.9", "example.com", "x@example.com")
    assert outcome.result is SpfResult.PASS


@pytest.mark.parametrize(
    "domain", ["a" * 64 + ".example.com", "a..example.com", "localhost", "[1.2.3.4]"]
)
async def test_invalid_domain_is_none_without_lookups(domain):
    resolver = DictResolver({})
    outcome = await check_host(resolver, "192.0.2.1", domain, "x@" + domain)
    assert outcome.result is SpfResult.NONE and not resolver.queries
