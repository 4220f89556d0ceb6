"""LiveResolver over real sockets: against our loopback server and against NSD.

Every data outcome and every failure must stay distinct: a timeout or SERVFAIL is an error,
never a missing record. Tests that need fault injection or query counters use our server;
the outcome tests run against both servers.
"""

from __future__ import annotations

import asyncio

import pytest

from mailcheck.base.errors import DnsError, DnsServerError, DnsTimeoutError, InputError
from mailcheck.dns.interface import Outcome, RRType
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from tests.nameserver import Fault


def resolver_for(port: int, *, timeout: float = 2.0, retries: int = 1) -> LiveResolver:
    return LiveResolver(ResolverConfig((Nameserver("127.0.0.1", port),), timeout, retries))


@pytest.fixture(params=["loopback", "nsd"])
def server_port(request) -> int:
    """The port of either authoritative server serving tests/data/zones."""
    name = "nameserver" if request.param == "loopback" else "nsd_server"
    return request.getfixturevalue(name).port


async def test_answer_a_records_sorted(server_port):
    answer = await resolver_for(server_port).resolve("WWW.dnstest.example.", RRType.A)
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("192.0.2.1", "192.0.2.2")
    assert answer.name == "www.dnstest.example" and answer.ttl == 300
    assert answer.server == f"127.0.0.1:{server_port}"


async def test_answer_mx_text_form(server_port):
    answer = await resolver_for(server_port).resolve("dnstest.example", RRType.MX)
    assert answer.records == ("10 mx.dnstest.example",)


async def test_txt_strings_of_one_record_are_joined(server_port):
    answer = await resolver_for(server_port).resolve("split.dnstest.example", RRType.TXT)
    assert answer.records == ("second record", "v=spf1 ip4:192.0.2.0/24 -all")


async def test_txt_is_decoded_as_utf8(server_port):
    answer = await resolver_for(server_port).resolve("utf8.dnstest.example", RRType.TXT)
    assert answer.records == ("café",)


async def test_nxdomain(server_port):
    answer = await resolver_for(server_port).resolve("nope.dnstest.example", RRType.A)
    assert answer.outcome is Outcome.NXDOMAIN and not answer.exists and answer.records == ()


async def test_nodata(server_port):
    answer = await resolver_for(server_port).resolve("onlytxt.dnstest.example", RRType.A)
    assert answer.outcome is Outcome.NODATA and answer.exists and answer.records == ()


async def test_truncated_udp_falls_back_to_tcp(server_port):
    answer = await resolver_for(server_port).resolve("big.dnstest.example", RRType.TXT)
    (text,) = answer.records
    assert len(text) == 12 * 180 and text.startswith("x00x00")


async def test_cname_chain_is_followed(server_port):
    answer = await resolver_for(server_port).resolve("alias1.dnstest.example", RRType.A)
    assert answer.records == ("192.0.2.1", "192.0.2.2")
    assert answer.cnames == ("alias2.dnstest.example", "www.dnstest.example")
    assert answer.canonical_name == "www.dnstest.example"


async def test_cname_into_another_zone_is_followed(server_port):
    answer = await resolver_for(server_port).resolve("crosszone.dnstest.example", RRType.A)
    assert answer.records == ("192.0.2.11",)
    assert answer.canonical_name == "mx1.good.mxcases.example"


async def test_cname_loop_is_an_error_not_an_answer(server_port):
    with pytest.raises(DnsError):
        answer = await resolver_for(server_port).resolve("loop1.dnstest.example", RRType.A)
        assert answer.outcome is not Outcome.ANSWER  # only reached if the loop were hidden


async def test_name_outside_served_zones_is_refused(server_port):
    with pytest.raises(DnsServerError) as info:
        await resolver_for(server_port).resolve("example.org", RRType.A)
    assert info.value.rcode == "REFUSED"


async def test_servfail_is_an_error_not_a_missing_record(nameserver):
    nameserver.faults.set("servfail.dnstest.example", Fault.SERVFAIL)
    with pytest.raises(DnsServerError) as info:
        await resolver_for(nameserver.port).resolve("servfail.dnstest.example", RRType.A)
    assert info.value.rcode == "SERVFAIL"


async def test_timeout_is_an_error_not_a_missing_record(nameserver):
    nameserver.faults.set("dropped.dnstest.example", Fault.DROP)
    resolver = resolver_for(nameserver.port, timeout=0.2, retries=1)
    with pytest.raises(DnsTimeoutError):
        await resolver.resolve("dropped.dnstest.example", RRType.A)
    assert nameserver.counters.count("dropped.dnstest.example", "A") == 2  # first try + 1 retry


async def test_delayed_answer_within_timeout_is_an_answer(nameserver):
    nameserver.faults.delay = 0.1
    answer = await resolver_for(nameserver.port, timeout=1.0).resolve(
        "slow.dnstest.example", RRType.A
    )
    assert answer.records == ("192.0.2.97",)


async def test_cache_hit_sends_no_second_query(nameserver):
    resolver = resolver_for(nameserver.port)
    first = await resolver.resolve("www.dnstest.example", RRType.A)
    sent = nameserver.counters.total
    second = await resolver.resolve("WWW.dnstest.example.", RRType.A)
    assert second == first
    assert nameserver.counters.total == sent == 1
    assert (resolver.stats.queries_sent, resolver.stats.cache_hits) == (1, 1)


async def test_concurrent_identical_lookups_are_sent_once(nameserver):
    nameserver.faults.delay = 0.05
    resolver = resolver_for(nameserver.port)
    answers = await asyncio.gather(
        *(resolver.resolve("www.dnstest.example", RRType.A) for _ in range(50))
    )
    assert len(set(answers)) == 1
    assert nameserver.counters.count("www.dnstest.example", "A") == 1


async def test_errors_are_cached_too(nameserver):
    nameserver.faults.set("servfail.dnstest.example", Fault.SERVFAIL)
    resolver = resolver_for(nameserver.port)
    for _ in range(3):
        with pytest.raises(DnsServerError):
            await resolver.resolve("servfail.dnstest.example", RRType.A)
    assert nameserver.counters.count("servfail.dnstest.example", "A") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.53", Nameserver("192.0.2.53", 53)),
        ("127.0.0.1:5353", Nameserver("127.0.0.1", 5353)),
        ("[::1]:5353", Nameserver("::1", 5353)),
        ("2001:db8::53", Nameserver("2001:db8::53", 53)),
    ],
)
def test_nameserver_from_text(text, expected):
    assert Nameserver.from_text(text) == expected


@pytest.mark.parametrize("text", ["dns.example", "1.2.3.4:0", "1.2.3.4:x", "[::1:53"])
def test_nameserver_from_text_rejects(text):
    with pytest.raises(InputError):
        Nameserver.from_text(text)
