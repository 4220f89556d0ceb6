"""report.json: validates against the shipped JSON Schema, sorted keys, verdict fields."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import mailcheck.report.json as report_json
from mailcheck.base.model import Report
from mailcheck.report.json import JsonRenderer

SCHEMA = Path(report_json.__file__).with_name(report_json.SCHEMA_FILE)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("fixture", ["html_report", "xss_report"])
def test_report_json_validates_against_schema(request, validator, fixture: str) -> None:
    report, _ = request.getfixturevalue(fixture)
    data = json.loads(JsonRenderer().render(report))
    errors = sorted(validator.iter_errors(data), key=str)
    assert errors == []
    assert data["schema_version"] == 1


def test_schema_rejects_an_unknown_status(validator, html_report) -> None:
    data = json.loads(JsonRenderer().render(html_report[0]))
    data["findings"][0]["status"] = "maybe"
    assert not validator.is_valid(data)


def test_report_json_keys_are_sorted_at_every_level(html_report) -> None:
    text = JsonRenderer().render(html_report[0])

    def sorted_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    json.loads(text, object_pairs_hook=sorted_pairs)


def test_report_json_carries_verdict_and_evidence(html_report) -> None:
    report: Report = html_report[0]
    data = json.loads(JsonRenderer().render(report))
    assert data["verdict"]["answer"] == "Probably"
    assert data["worst_status"] == "warn"
    assert [f["code"] for f in data["findings"]] == [
        "MX006",
        "TST002",
        "TST003",
        "SRC004",  # the profile's sources: legacy entries known, environments inferred
        "SRC005",
        "MX001",
        "TST001",
        "TST004",
        "SRC001",
    ]
    assert {(e["name"], e["rrtype"]) for e in data["evidence"]} >= {
        ("html.example", "MX"),
        ("mx2.html.example", "A"),
    }
