"""DMARC for a message through ``AuthEvaluator`` (mailcheck.protocols.dmarc underneath): alignment,
policy discovery on the tree walk, and failures, over the loopback nameserver."""

from __future__ import annotations

import pytest

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.message.auth import BuiltinAuthEvaluator, SpfOutcome
from mailcheck.protocols.dkim import DkimResult
from tests.nameserver import Fault, LoopbackNameserver, quote_txt, zones_from_records

SPF_PASS = SpfOutcome("pass", "bounces.a.example", "192.0.2.1", "mailcheck")
SPF_FAIL = SpfOutcome("fail", "bounces.a.example", "192.0.2.1", "mailcheck")


def dkim(domain: str, result: str = "pass") -> DkimResult:
    return DkimResult(0, result, domain, "s1", "rsa-sha256")


@pytest.fixture
def dmarc_server():
    with LoopbackNameserver(zones_from_records({})) as server:
        yield server


def evaluator(server: LoopbackNameserver) -> BuiltinAuthEvaluator:
    config = ResolverConfig((Nameserver(server.host, server.port),), timeout=0.5, retries=0)
    return BuiltinAuthEvaluator(LiveResolver(config))


def serve(server: LoopbackNameserver, records: dict[str, str]) -> None:
    server.set_zones(zones_from_records({n: [("TXT", quote_txt(t))] for n, t in records.items()}))


@pytest.mark.parametrize(
    ("record", "spf", "signatures", "result", "spf_aligned", "dkim_aligned"),
    [
        ("v=DMARC1; p=reject", SPF_PASS, (), "pass", True, ()),
        ("v=DMARC1; p=reject; aspf=s", SPF_PASS, (), "fail", False, ()),
        ("v=DMARC1; p=reject", SPF_FAIL, (dkim("a.example"),), "pass", False, ("a.example",)),
        ("v=DMARC1; p=reject; adkim=s", SPF_FAIL, (dkim("a.example"),), "fail", False, ()),
        ("v=DMARC1; p=reject", SPF_FAIL, (dkim("other.example"),), "fail", False, ()),
        ("v=DMARC1; p=reject", SPF_FAIL, (dkim("a.example", "fail"),), "fail", False, ()),
        ("v=DMARC1; p=reject", SPF_FAIL, (dkim("nota.example"),), "fail", False, ()),
    ],
)
async def test_alignment(dmarc_server, record, spf, signatures, result, spf_aligned, dkim_aligned):
    serve(dmarc_server, {"_dmarc.a.example": record})
    outcome = await evaluator(dmarc_server).dmarc("mail.a.example", spf, signatures)
    assert (outcome.result, outcome.spf_aligned, outcome.dkim_aligned_domains) == (
        result,
        spf_aligned,
        dkim_aligned,
    )
    assert outcome.organizational_domain == "a.example"


async def test_subdomain_policy_uses_sp(dmarc_server):
    serve(dmarc_server, {"_dmarc.a.example": "v=DMARC1; p=reject; sp=quarantine"})
    outcome = await evaluator(dmarc_server).dmarc("mail.a.example", SPF_FAIL, ())
    assert (outcome.result, outcome.policy) == ("fail", "quarantine")


async def test_own_record_uses_p(dmarc_server):
    serve(
        dmarc_server,
        {"_dmarc.mail.a.example": "v=DMARC1; p=none", "_dmarc.a.example": "v=DMARC1; p=reject"},
    )
    outcome = await evaluator(dmarc_server).dmarc("mail.a.example", SPF_FAIL, ())
    assert (outcome.result, outcome.policy) == ("fail", "none")


async def test_no_record_is_none(dmarc_server):
    serve(dmarc_server, {})
    outcome = await evaluator(dmarc_server).dmarc("mail.a.example", SPF_PASS, ())
    assert outcome.result == "none"


async def test_timeout_is_temperror_not_none(dmarc_server):
    serve(dmarc_server, {})
    dmarc_server.faults.set("_dmarc.a.example", Fault.DROP)
    outcome = await evaluator(dmarc_server).dmarc("a.example", SPF_PASS, ())
    assert outcome.result == "temperror"
