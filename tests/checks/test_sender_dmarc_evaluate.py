"""Sender DMARC ``evaluate`` on literal facts (no DNS)."""

from __future__ import annotations

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.sender_dmarc import evaluate
from mailcheck.facts.sender_dmarc import DomainDmarc, SenderDmarcFacts
from mailcheck.protocols.dmarc import (
    Discovery,
    Policy,
    PolicyResult,
    Prediction,
    Route,
    StepState,
    TreeWalk,
    WalkStep,
    parse_record,
)
from mailcheck.protocols.dmarc.record import DmarcRecord


def record(text: str) -> DmarcRecord:
    parsed = parse_record(text)
    assert isinstance(parsed, DmarcRecord)
    return parsed


def facts(result: PolicyResult, steps=(), predictions=()) -> SenderDmarcFacts:
    walk = TreeWalk(result.author_domain, tuple(steps))
    domain = DomainDmarc(result.author_domain, True, result, walk)
    return SenderDmarcFacts("t", (), (), (domain,), tuple(predictions))


def codes(findings):
    return [(f.code, f.status) for f in findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v=DMARC1; p=reject; rua=mailto:a@d.example", [("DMC001", Status.PASS)]),
        ("v=DMARC1; p=none; rua=mailto:a@d.example", [("DMC007", Status.INFO)]),
        (
            "v=DMARC1; p=reject; t=y; rua=mailto:a@d.example",
            [("DMC001", Status.PASS), ("DMC008", Status.INFO)],
        ),
        (
            "v=DMARC1; p=reject; pct=50; rua=mailto:a@d.example",
            [("DMC001", Status.PASS), ("DMC005", Status.INFO)],
        ),
        (
            "v=DMARC1; p=reject; aspf=z; rua=mailto:a@d.example",
            [("DMC001", Status.PASS), ("DMC004", Status.WARN)],
        ),
    ],
)
def test_found_policy_findings(text, expected):
    rec = record(text)
    result = PolicyResult(
        "d.example", Discovery.FOUND, "d.example", rec, "p", rec.policy, "d.example"
    )
    assert codes(evaluate(facts(result))) == expected


def test_pct_below_100_explains_the_rfc_7489_sampling():
    rec = record("v=DMARC1; p=reject; pct=50; rua=mailto:a@d.example")
    result = PolicyResult("d.example", Discovery.FOUND, "d.example", rec, "p", Policy.REJECT)
    legacy = next(f for f in evaluate(facts(result)) if f.code == "DMC005")
    assert any("only 50%" in e for e in legacy.evidence)


def test_none_error_unusable_and_multiple():
    none = PolicyResult("d.example", Discovery.NONE)
    steps = [WalkStep("d.example", StepState.MULTIPLE, ("v=DMARC1", "v=DMARC1"))]
    assert codes(evaluate(facts(none, steps))) == [
        ("DMC009", Status.WARN),
        ("DMC002", Status.WARN),
    ]
    error = PolicyResult("d.example", Discovery.ERROR, error="d.example/TXT: timeout")
    assert codes(evaluate(facts(error))) == [("DMC003", Status.ERROR)]
    rec = record("v=DMARC1; p=bogus")
    unusable = PolicyResult("d.example", Discovery.UNUSABLE, "d.example", rec, "p")
    assert codes(evaluate(facts(unusable))) == [("DMC006", Status.WARN)]


@pytest.mark.parametrize(
    ("spf", "code"),
    [
        (Route.ALIGNED, "DMC011"),
        (Route.NOT_ALIGNED, "DMC012"),
        (Route.UNKNOWN, "DMC013"),
        (Route.UNDECIDED, "DMC003"),
    ],
)
def test_prediction_findings(spf, code):
    rec = record("v=DMARC1; p=reject; rua=mailto:a@d.example")
    result = PolicyResult("d.example", Discovery.FOUND, "d.example", rec, "p", rec.policy)
    prediction = Prediction("a@d.example", "d.example", spf, Route.UNKNOWN, ("b.d.example",))
    found = [
        f for f in evaluate(facts(result, predictions=[prediction])) if f.subject == "a@d.example"
    ]
    assert [f.code for f in found] == [code]
    assert "DKIM" in found[0].detail
