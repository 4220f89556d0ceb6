"""The minimal DMARC behind ``AuthEvaluator`` (until mailcheck.dmarc lands): alignment from
literal facts, and discovery / organizational domain over replayed DNS."""

from __future__ import annotations

import pytest

from mailcheck.dkim import DkimResult
from mailcheck.dns.interface import Answer, Outcome, RRType
from mailcheck.dns.snapshot import Recorded, Snapshot, SnapshotResolver
from mailcheck.errors import DnsTimeoutError
from mailcheck.message.auth import BuiltinAuthEvaluator, SpfOutcome, evaluate_dmarc

SPF_PASS = SpfOutcome("pass", "bounces.a.example", "192.0.2.1", "mailcheck")
SPF_FAIL = SpfOutcome("fail", "bounces.a.example", "192.0.2.1", "mailcheck")


def dkim(domain: str, result: str = "pass") -> DkimResult:
    return DkimResult(0, result, domain, "s1", "rsa-sha256")


@pytest.mark.parametrize(
    ("record", "spf", "signatures", "result", "spf_aligned", "dkim_aligned"),
    [
        ("v=DMARC1; p=reject", SPF_PASS, (), "pass", True, ()),
        ("v=DMARC1; p=reject; aspf=s", SPF_PASS, (), "fail", False, ()),
        ("v=DMARC1; p=reject", SPF_FAIL, (dkim("a.example"),), "pass", False, ("a.example",)),
        ("v=DMARC1; p=reject; adkim=s", SPF_FAIL, (dkim("a.example"),), "fail", False, ()),
        ("v=DMARC1; p=reject", SPF_FAIL, (dkim("other.example"),), "fail", False, ()),
        ("v=DMARC1; p=reject", SPF_FAIL, (dkim("a.example", "fail"),), "fail", False, ()),
        ("v=DMARC1; p=reject", SPF_FAIL, (dkim("notа.example"),), "fail", False, ()),
    ],
)
def test_alignment(record, spf, signatures, result, spf_aligned, dkim_aligned):
    outcome = evaluate_dmarc("mail.a.example", "a.example", record, "a.example", spf, signatures)
    assert (outcome.result, outcome.spf_aligned, outcome.dkim_aligned_domains) == (
        result,
        spf_aligned,
        dkim_aligned,
    )


def test_subdomain_policy_uses_sp():
    outcome = evaluate_dmarc(
        "mail.a.example",
        "a.example",
        "v=DMARC1; p=reject; sp=quarantine",
        "a.example",
        SPF_FAIL,
        (),
    )
    assert (outcome.result, outcome.policy) == ("fail", "quarantine")


def _resolver(records: dict[str, str | None], errors: tuple[str, ...] = ()) -> SnapshotResolver:
    entries = {}
    for name, text in records.items():
        if text is None:
            answer = Answer(name, RRType.TXT, Outcome.NXDOMAIN)
        else:
            answer = Answer(name, RRType.TXT, Outcome.ANSWER, (text,))
        entries[(name, RRType.TXT)] = Recorded("t", answer=answer)
    for name in errors:
        entries[(name, RRType.TXT)] = Recorded("t", error=DnsTimeoutError(name, "TXT", "timeout"))
    return SnapshotResolver(Snapshot("t", (), entries))


async def test_tree_walk_finds_parent_policy():
    resolver = _resolver(
        {
            "_dmarc.mail.a.example": None,
            "_dmarc.a.example": "v=DMARC1; p=quarantine",
        }
    )
    outcome = await BuiltinAuthEvaluator(resolver).dmarc("mail.a.example", SPF_PASS, ())
    assert (outcome.result, outcome.policy, outcome.organizational_domain) == (
        "pass",
        "quarantine",
        "a.example",
    )


async def test_no_record_is_none():
    resolver = _resolver({"_dmarc.mail.a.example": None, "_dmarc.a.example": None})
    outcome = await BuiltinAuthEvaluator(resolver).dmarc("mail.a.example", SPF_PASS, ())
    assert outcome.result == "none"


async def test_timeout_is_temperror_not_none():
    resolver = _resolver({}, errors=("_dmarc.a.example",))
    outcome = await BuiltinAuthEvaluator(resolver).dmarc("a.example", SPF_PASS, ())
    assert outcome.result == "temperror"


async def test_two_records_mean_no_policy():
    entries = {
        ("_dmarc.a.example", RRType.TXT): Recorded(
            "t",
            answer=Answer(
                "_dmarc.a.example",
                RRType.TXT,
                Outcome.ANSWER,
                ("v=DMARC1; p=reject", "v=DMARC1; p=none"),
            ),
        ),
    }
    resolver = SnapshotResolver(Snapshot("t", (), entries))
    outcome = await BuiltinAuthEvaluator(resolver).dmarc("a.example", SPF_PASS, ())
    assert outcome.result == "none"
