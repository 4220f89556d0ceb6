"""MX findings from literal facts: the pure half of the MX check."""

from __future__ import annotations

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.mx import evaluate
from mailcheck.facts.mx import MxFacts, MxHost

GOOD = MxHost("mx1.example.com", 10, ("192.0.2.1",))


def codes(facts):
    return [(f.code, f.status) for f in evaluate(facts)]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (MxFacts("d.example", "mx", ("10 mx1.example.com",), (GOOD,)), [("MX001", Status.PASS)]),
        (MxFacts("d.example", "null", ("0 .",)), [("MX002", Status.FAIL)]),
        (MxFacts("d.example", "null", ("0 .", "10 mx1.example.com")), [("MX010", Status.FAIL)]),
        (
            MxFacts("d.example", "implicit", hosts=(MxHost("d.example", 0, ("192.0.2.9",)),)),
            [("MX003", Status.WARN)],
        ),
        (MxFacts("d.example", "none"), [("MX004", Status.FAIL)]),
        (MxFacts("d.example", "nxdomain"), [("MX005", Status.FAIL)]),
        (
            MxFacts("d.example", "error", error="d.example/MX: no answer within 5.0 s"),
            [("MX009", Status.ERROR)],
        ),
    ],
)
def test_evaluate_domain_states(facts, expected):
    assert codes(facts) == expected


def test_evaluate_cname_target_warns_but_still_delivers():
    host = MxHost("mail.d.example", 10, ("192.0.2.2",), cnames=("real.d.example",))
    assert codes(MxFacts("d.example", "mx", ("10 mail.d.example",), (host,))) == [
        ("MX001", Status.PASS),
        ("MX006", Status.WARN),
    ]


def test_evaluate_one_host_without_address_is_a_warning():
    ghost = MxHost("ghost.d.example", 10)
    assert codes(MxFacts("d.example", "mx", (), (ghost, GOOD))) == [
        ("MX001", Status.PASS),
        ("MX007", Status.WARN),
    ]


def test_evaluate_no_host_with_address_fails():
    ghost = MxHost("ghost.d.example", 10)
    assert codes(MxFacts("d.example", "mx", (), (ghost,))) == [
        ("MX007", Status.WARN),
        ("MX007", Status.FAIL),
    ]


def test_evaluate_ip_literal_fails():
    literal = MxHost("192.0.2.40", 10)
    assert ("MX008", Status.FAIL) in codes(MxFacts("d.example", "mx", (), (literal,)))


def test_evaluate_host_lookup_error_is_never_no_address():
    slow = MxHost("mx.slow.example", 10, error="mx.slow.example/A: no answer within 1.0 s")
    result = codes(MxFacts("d.example", "mx", (), (slow,)))
    assert result == [("MX009", Status.ERROR)]
