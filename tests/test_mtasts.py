"""MTA-STS and TLS-RPT parsing (RFC 8461, RFC 8460) and MX pattern matching, on literal text."""

from __future__ import annotations

import pytest

from mailcheck.protocols.mtasts import (
    mx_matches,
    parse_policy,
    parse_sts_record,
    parse_tlsrpt_record,
)

GOOD_POLICY = (
    "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.example.net\r\n"
    "max_age: 604800\r\n"
)


def test_sts_record_valid():
    record = parse_sts_record(("v=STSv1; id=20260101T000000;",))
    assert record.is_valid and record.id == "20260101T000000"


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        ((), "no record starts with v=STSv1"),
        (("v=spf1 -all",), "no record starts with v=STSv1"),
        (("v=STSv1; id=a;", "v=STSv1; id=b;"), "several v=STSv1 records"),
        (("v=STSv1;",), "missing id="),
        (("v=STSv1; id=has-dash;",), "must be 1-32 letters or digits"),
        (("v=STSv1; id=" + "a" * 33,), "must be 1-32 letters or digits"),
        (("v=STSv1; id=abc; junk",), "malformed field"),
    ],
)
def test_sts_record_invalid(texts, problem):
    record = parse_sts_record(texts)
    assert not record.is_valid
    assert any(problem in p for p in record.problems)


def test_sts_record_ignores_other_txt_records_and_unknown_fields():
    record = parse_sts_record(("google-site-verification=x", "v=STSv1; id=abc; ext=1"))
    assert record.is_valid and record.id == "abc"


def test_policy_valid_crlf_and_lf():
    for body in (GOOD_POLICY, GOOD_POLICY.replace("\r\n", "\n")):
        policy = parse_policy(body)
        assert policy.is_valid, policy.problems
        assert (policy.mode, policy.max_age) == ("enforce", 604800)
        assert policy.mx == ("mx1.example.com", "*.example.net")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("mode: enforce\nmx: a.example\nmax_age: 1\n", "version must be STSv1"),
        ("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "mode must be"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999999\n", "max_age"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "exceeds"),
        ("version: STSv1\nmode: enforce\nmax_age: 86400\n", "no mx: line"),
        ("version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 86400\n", "mx pattern"),
        ("version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1\n", "repeated"),
        ("<html><body>Not found</body></html>", "not 'key: value'"),
    ],
)
def test_policy_invalid(body, problem):
    policy = parse_policy(body)
    assert not policy.is_valid
    assert any(problem in p for p in policy.problems), policy.problems


def test_policy_mode_none_needs_no_mx():
    assert parse_policy("version: STSv1\nmode: none\nmax_age: 86400\n").is_valid


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("mx1.example.com", "mx1.example.com", True),
        ("mx1.example.com", "MX1.Example.COM.", True),
        ("*.example.net", "mx.example.net", True),
        ("*.example.net", "a.b.example.net", False),
        ("*.example.net", "example.net", False),
        ("mx1.example.com", "mx2.example.com", False),
    ],
)
def test_mx_matches(pattern, host, expected):
    assert mx_matches(pattern, host) is expected


def test_tlsrpt_record():
    rua, problems = parse_tlsrpt_record(
        ("v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example/tls",)
    )
    assert rua == ("mailto:tls@example.com", "https://r.example/tls") and problems == ()


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        ((), "no v=TLSRPTv1 record"),
        (("v=TLSRPTv1; rua=mailto:a@x", "v=TLSRPTv1; rua=mailto:b@x"), "several"),
        (("v=TLSRPTv1;",), "missing rua="),
        (("v=TLSRPTv1; rua=http://x.example/",), "must be mailto: or https:"),
    ],
)
def test_tlsrpt_record_invalid(texts, problem):
    _, problems = parse_tlsrpt_record(texts)
    assert any(problem in p for p in problems)
