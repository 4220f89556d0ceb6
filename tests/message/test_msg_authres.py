"""Authentication-Results parsing against the public parse cases (authres/parse-cases.yaml).

mailcheck's parser is lenient the way MimeKit is (Microsoft 365 writes no authserv-id and
puts bare domains between results), so one authres-1.2.0 case that expects a syntax error
for the Microsoft-style "header.d=none;thehesiod.com" is parsed instead (documented below).
"""

from __future__ import annotations

import pytest

from mailcheck.message.authres import parse_authres
from tests.message.msg_helpers import conformance_dir, load_yaml

# Cases where mailcheck deliberately differs from the recorded expectation, with the reason.
LENIENT_DIFFERENCES = {
    "authres-py-23": "Microsoft 365 style 'header.d=none;domain;' is accepted (MimeKit does too)",
}


def _cases():
    try:
        data = load_yaml(conformance_dir("authres") / "parse-cases.yaml")
    except pytest.skip.Exception:
        return [pytest.param(None, id="conformance-missing")]
    return [pytest.param(case, id=case["id"]) for case in data["cases"]]


def _problems(case: dict) -> list[str]:
    result = parse_authres(case["value"])
    if case["parse"] == "error":
        return [] if not result.ok else ["parsed, expected a syntax error"]
    problems = [] if result.ok else [f"error: {result.error}"]
    expect = case.get("expect", {})
    if "authserv_id" in expect and (expect["authserv_id"] or None) != result.authserv_id:
        problems.append(f"authserv_id {result.authserv_id!r}")
    for key, got in (("version", result.version), ("arc_instance", result.arc_instance)):
        if key in expect and expect[key] != got:
            problems.append(f"{key} {got!r}")
    if "result_count" in expect and expect["result_count"] != len(result.results):
        problems.append(f"result_count {len(result.results)}")
    wanted = expect.get("results")
    if wanted is not None:
        if len(wanted) != len(result.results):
            return problems + [f"{len(result.results)} results"]
        for want, got in zip(wanted, result.results, strict=True):
            problems += _result_problems(want, got)
    return problems


def _result_problems(want: dict, got) -> list[str]:
    problems = []
    checks = {
        "method": (want["method"].lower(), got.method),
        "result": (want["result"].lower(), got.result),
        "reason": (want.get("reason"), got.reason),
        "method_version": (want.get("method_version"), got.method_version),
        "result_comment": (want.get("result_comment"), got.comment),
        "action": (want.get("action"), got.action),
        "office365_authserv_id": (want.get("office365_authserv_id"), got.office365_authserv_id),
    }
    for key, (expected, actual) in checks.items():
        if key in want or key in ("method", "result"):
            if expected != actual:
                problems.append(f"{key}: {actual!r} != {expected!r}")
    if "properties" in want:
        expected_props = [
            (p["ptype"].lower(), p["property"].lower(), str(p["value"])) for p in want["properties"]
        ]
        actual_props = [(p.ptype, p.property, p.value) for p in got.properties]
        if expected_props != actual_props:
            problems.append(f"properties {actual_props}")
    return problems


@pytest.mark.parametrize("case", _cases())
def test_parse_case_matches_expectation(case):
    if case is None:
        conformance_dir("authres")
    problems = _problems(case)
    if case["id"] in LENIENT_DIFFERENCES:
        assert problems, f"{case['id']} now matches; drop it from LENIENT_DIFFERENCES"
        return
    assert problems == []


def test_parse_cases_pass_count():
    """The headline figure for the report: 134 of 135 agree, 1 documented difference."""
    data = load_yaml(conformance_dir("authres") / "parse-cases.yaml")
    passed = sum(1 for case in data["cases"] if not _problems(case))
    assert len(data["cases"]) == 135
    assert passed == len(data["cases"]) - len(LENIENT_DIFFERENCES)


@pytest.mark.parametrize(
    ("value", "authserv_id", "methods"),
    [
        (
            "mx.google.com; dkim=pass header.i=@a.example; spf=pass smtp.mailfrom=a.example",
            "mx.google.com",
            ["dkim", "spf"],
        ),
        (
            "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=a.example; dkim=none (message not "
            "signed) header.d=none;dmarc=none action=none header.from=a.example;compauth=fail "
            "reason=001",
            None,
            ["spf", "dkim", "dmarc", "compauth"],
        ),
    ],
)
def test_parse_real_receivers(value, authserv_id, methods):
    parsed = parse_authres(value)
    assert parsed.ok and parsed.authserv_id == authserv_id
    assert [r.method for r in parsed.results] == methods


def test_parse_microsoft_compauth_reason():
    parsed = parse_authres("spf=fail smtp.mailfrom=a.example;compauth=fail reason=000")
    (compauth,) = parsed.by_method("compauth")
    assert (compauth.result, compauth.reason) == ("fail", "000")


def test_parse_arc_requires_instance():
    assert not parse_authres("example.com; spf=pass smtp.mailfrom=a.example", arc=True).ok
    parsed = parse_authres("i=2; example.com; spf=pass smtp.mailfrom=a.example", arc=True)
    assert parsed.ok and parsed.arc_instance == 2
