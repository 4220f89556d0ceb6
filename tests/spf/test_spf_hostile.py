"""Hostile records: parsing only ever raises ``SpfSyntaxError``, evaluation never raises."""

from __future__ import annotations

import asyncio
import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from mailcheck.dns.interface import RRType
from mailcheck.protocols.spf import (
    SpfResult,
    SpfSyntaxError,
    check_host,
    expand_record,
    parse_record,
)
from tests.dictresolver import DictResolver

_PIECES = st.sampled_from(
    [
        " ",
        "a",
        "mx",
        "ptr",
        "all",
        "-",
        "~",
        "?",
        "+",
        ":",
        "/",
        "//",
        "=",
        "%{",
        "}",
        "%",
        "i",
        "ir",
        "d2",
        "l-",
        "include:",
        "redirect=",
        "exp=",
        "ip4:",
        "ip6:",
        "exists:",
        "192.0.2.1",
        "2001:db8::",
        "x.example.com",
        "self.example",
        "24",
        "129",
        "\x00",
        "\r",
        "\u00e9",
    ]
)
_RECORDS = st.lists(_PIECES, max_size=30).map(lambda parts: "v=spf1 " + "".join(parts))


@settings(max_examples=300, deadline=None)
@given(_RECORDS)
def test_parse_record_raises_only_syntax_errors(text):
    try:
        parse_record(text)
    except SpfSyntaxError:
        pass


@settings(max_examples=150, deadline=None)
@given(_RECORDS, st.sampled_from(["192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"]))
def test_check_host_and_expand_always_return(record, ip):
    resolver = DictResolver(
        {
            ("self.example", RRType.TXT): (record,),
            ("x.example.com", RRType.TXT): ("v=spf1 include:self.example -all",),
            ("x.example.com", RRType.A): ("192.0.2.1",),
        }
    )

    async def run():
        outcome = await check_host(resolver, ip, "self.example", "u@self.example")
        expanded = await expand_record(resolver, "self.example")
        return outcome, expanded

    outcome, expanded = asyncio.run(run())
    assert outcome.result in SpfResult
    assert outcome.lookups <= 11 and len(resolver.queries) < 200
    result, _why = expanded.static_result(ipaddress.ip_address("192.0.2.1"))
    assert result is None or result in SpfResult
