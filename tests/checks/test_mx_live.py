"""The MX check end to end: zone files served on loopback, real UDP/TCP, real resolver."""

from __future__ import annotations

import pytest

from mailcheck.base.model import Status
from mailcheck.checks import CheckContext
from mailcheck.checks.mx import MxCheck
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.facts.mx import MxFacts
from tests.nameserver import Fault


async def run_mx(port: int, domain: str):
    resolver = LiveResolver(
        ResolverConfig((Nameserver("127.0.0.1", port),), timeout=0.3, retries=0)
    )
    return await MxCheck().run(CheckContext(domain, resolver))


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("good.mxcases.example", [("MX001", Status.PASS)]),
        ("null.mxcases.example", [("MX002", Status.FAIL)]),
        ("mixednull.mxcases.example", [("MX010", Status.FAIL)]),
        ("implicit.mxcases.example", [("MX003", Status.WARN)]),
        ("nomail.mxcases.example", [("MX004", Status.FAIL)]),
        ("missing.mxcases.example", [("MX005", Status.FAIL)]),
        ("cname.mxcases.example", [("MX001", Status.PASS), ("MX006", Status.WARN)]),
        ("noaddr.mxcases.example", [("MX001", Status.PASS), ("MX007", Status.WARN)]),
        ("allnoaddr.mxcases.example", [("MX007", Status.WARN), ("MX007", Status.FAIL)]),
        ("iplit.mxcases.example", [("MX008", Status.FAIL)]),
    ],
)
async def test_mx_situations(nameserver, domain, expected):
    result = await run_mx(nameserver.port, domain)
    assert [(f.code, f.status) for f in result.findings] == expected


async def test_mx_host_timeout_is_error_not_missing_address(nameserver):
    nameserver.faults.set("mx.slow.mxcases.example", Fault.DROP)
    result = await run_mx(nameserver.port, "slow.mxcases.example")
    assert [(f.code, f.status) for f in result.findings] == [("MX009", Status.ERROR)]
    assert "no answer" in result.findings[0].evidence[0]


async def test_mx_lookup_servfail_is_error(nameserver):
    nameserver.faults.set("good.mxcases.example", Fault.SERVFAIL)
    result = await run_mx(nameserver.port, "good.mxcases.example")
    assert [(f.code, f.status) for f in result.findings] == [("MX009", Status.ERROR)]
    assert "SERVFAIL" in result.findings[0].evidence[0]


async def test_mx_facts_list_hosts_in_preference_order(nameserver):
    result = await run_mx(nameserver.port, "good.mxcases.example")
    assert isinstance(result.facts, MxFacts)
    assert [(h.exchange, h.addresses) for h in result.facts.hosts] == [
        ("mx1.good.mxcases.example", ("192.0.2.11",)),
        ("mx2.good.mxcases.example", ("2001:db8::12",)),
    ]
