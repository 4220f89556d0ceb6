"""Static expansion of SPF records to networks, on an in-memory resolver."""

from __future__ import annotations

import ipaddress

from mailcheck.base.errors import DnsTimeoutError
from mailcheck.dns.interface import RRType
from mailcheck.protocols.spf import SpfResult, expand_record
from mailcheck.protocols.spf.expand import MAX_RECORDS
from tests.dictresolver import DictResolver

TXT, A, AAAA, MX = RRType.TXT, RRType.A, RRType.AAAA, RRType.MX


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


async def test_a_mx_with_dual_cidr_and_redirect():
    resolver = DictResolver(
        {
            ("example.com", TXT): ("v=spf1 a/28//64 mx redirect=r.example.com",),
            ("example.com", A): ("192.0.2.1",),
            ("example.com", AAAA): ("2001:db8::1",),
            ("example.com", MX): ("10 mx.example.com",),
            ("mx.example.com", A): ("198.51.100.5",),
            ("r.example.com", TXT): ("v=spf1 ip4:203.0.113.0/24 -all",),
        }
    )
    expanded = await expand_record(resolver, "example.com")
    networks = [str(a.network) for a in expanded.authorized()]
    assert networks == ["192.0.2.0/28", "2001:db8::/64", "198.51.100.5/32", "203.0.113.0/24"]
    assert expanded.authorized()[-1].via == (
        "example.com: redirect=r.example.com",
        "r.example.com: ip4:203.0.113.0/24",
    )
    assert expanded.static_result(ip("203.0.113.9"))[0] is SpfResult.PASS
    assert expanded.static_result(ip("192.0.2.200"))[0] is SpfResult.FAIL


async def test_negative_include_result_continues_and_qualifiers_apply():
    resolver = DictResolver(
        {
            ("example.com", TXT): ("v=spf1 include:i.example.com ~ip4:192.0.2.0/24 -all",),
            ("i.example.com", TXT): ("v=spf1 -ip4:192.0.2.7 ip4:192.0.2.0/25 ?all",),
        }
    )
    expanded = await expand_record(resolver, "example.com")
    assert expanded.static_result(ip("192.0.2.8"))[0] is SpfResult.PASS
    assert expanded.static_result(ip("192.0.2.7"))[0] is SpfResult.SOFTFAIL  # include said fail
    assert expanded.static_result(ip("192.0.2.200"))[0] is SpfResult.SOFTFAIL
    assert expanded.static_result(ip("198.51.100.1"))[0] is SpfResult.FAIL
    assert [str(a.network) for a in expanded.authorized()] == ["192.0.2.0/25"]
    assert expanded.ending == "-"


async def test_ptr_macros_and_timeouts_are_marked_not_guessed():
    resolver = DictResolver(
        {
            ("example.com", TXT): ("v=spf1 ptr a:%{l}.example.com a:slow.example.com -all",),
            ("slow.example.com", A): DnsTimeoutError("slow.example.com", "A", "timeout"),
        }
    )
    expanded = await expand_record(resolver, "example.com")
    reasons = [reason for _term, reason in expanded.unexpandable()]
    assert "reverse DNS" in reasons[0] and "macro" in reasons[1] and "lookup failed" in reasons[2]
    assert expanded.static_result(ip("192.0.2.1"))[0] is None


async def test_loops_and_record_count_are_bounded():
    chain = {
        (f"n{i}.example.com", TXT): (f"v=spf1 include:n{i + 1}.example.com",) for i in range(99)
    }
    chain[("n99.example.com", TXT)] = ("v=spf1 include:n0.example.com",)
    resolver = DictResolver(chain)
    expanded = await expand_record(resolver, "n0.example.com")
    errors = [reason for _term, reason in expanded.unexpandable()]
    assert any(f"more than {MAX_RECORDS} records" in e for e in errors)
    assert len(resolver.queries) == MAX_RECORDS
    looped = await expand_record(
        DictResolver(
            {
                ("a.example.com", TXT): ("v=spf1 include:b.example.com",),
                ("b.example.com", TXT): ("v=spf1 include:a.example.com",),
            }
        ),
        "a.example.com",
    )
    assert "loop" in looped.unexpandable()[0][1]
