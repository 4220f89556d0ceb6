"""SMTP probe findings from literal facts: verdicts, STARTTLS states, DANE, limits."""

from __future__ import annotations

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.probe import pick_sender
from mailcheck.checks.probe_findings import evaluate
from mailcheck.facts.probe import CertSummary, ProbedHost, ProbeFacts
from mailcheck.rulefiles.profiles import get_profile


def host(**changes):
    values = {
        "host": "mx.d.example",
        "address": "192.0.2.1",
        "verdict": "accepted",
        "stage": "rcpt",
        "reply": "250 2.1.5 Ok",
        "enhanced": "2.1.5",
        "tls_offered": True,
        "tls_established": True,
        "tls_verified": True,
        "tls_verify_error": "",
        "tls_error": "",
        "certificate": CertSummary("CN=mx.d.example", "CN=CA", ("mx.d.example",), "2027", "ab"),
        "tlsa": (),
        "dane": "unchecked",
        "transcript": ("S: 220 mx.d.example ESMTP",),
    }
    values.update(changes)
    return ProbedHost(**values)


def facts(*hosts, mx_hosts=None):
    count = len(hosts) if mx_hosts is None else mx_hosts
    return ProbeFacts("d.example", "s@v.example", "u@d.example", 25, "mx", count, hosts)


def codes(result):
    return [(f.code, f.status) for f in result]


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        ("accepted", ("PRB001", Status.PASS)),
        ("temporary", ("PRB002", Status.WARN)),
        ("policy", ("PRB003", Status.FAIL)),
        ("unknown-recipient", ("PRB004", Status.WARN)),
        ("rejected", ("PRB005", Status.FAIL)),
        ("timeout", ("PRB006", Status.ERROR)),
        ("unreachable", ("PRB006", Status.ERROR)),
    ],
)
def test_each_verdict_has_its_finding(verdict, expected):
    [first, *_] = evaluate(facts(host(verdict=verdict)))
    assert (first.code, first.status) == expected
    assert "S: 220 mx.d.example ESMTP" in first.evidence


@pytest.mark.parametrize(
    ("tls", "expected"),
    [
        ({}, ("PRB009", Status.PASS)),
        ({"tls_offered": False, "tls_established": False}, ("PRB008", Status.WARN)),
        ({"tls_verified": False, "tls_verify_error": "self-signed"}, ("PRB007", Status.WARN)),
        ({"tls_established": False, "tls_error": "handshake failed"}, ("PRB010", Status.WARN)),
    ],
)
def test_starttls_states(tls, expected):
    assert codes(evaluate(facts(host(**tls))))[1] == expected


def test_no_starttls_finding_when_connection_failed_before_ehlo():
    result = evaluate(facts(host(verdict="timeout", stage="banner", tls_offered=False)))
    assert codes(result) == [("PRB006", Status.ERROR)]


@pytest.mark.parametrize(
    ("dane", "expected"),
    [("match", ("TLS015", Status.PASS)), ("mismatch", ("TLS016", Status.FAIL))],
)
def test_dane_result(dane, expected):
    assert codes(evaluate(facts(host(dane=dane, tlsa=("3 1 1 ab",)))))[-1] == expected


def test_probe_limit_and_no_hosts():
    assert codes(evaluate(facts(host(), mx_hosts=3)))[-1] == ("PRB011", Status.INFO)
    empty = ProbeFacts("d.example", "s@v.example", "u@d.example", 25, "null", 0)
    assert codes(evaluate(empty)) == [("PRB006", Status.ERROR)]


def test_pick_sender_prefers_exact_production_address():
    profile = get_profile("trimble-identity")
    assert pick_sender(profile) == "no-reply@account.trimble.com"
    assert pick_sender(profile, "x@y.example") == "x@y.example"
    assert pick_sender(None) == "mailcheck-probe@mailcheck.invalid"
