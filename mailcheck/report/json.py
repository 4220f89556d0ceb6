"""JSON output: sorted keys, a top-level ``schema_version``, stable across runs.

The one place typed check facts (``mailcheck.facts``, and the message check's
``MessageFacts``) become JSON data (``check_data``), and where the ``mailcheck audit``
document is built (``audit_json``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from mailcheck.base.codes import owner
from mailcheck.base.model import CheckResult, Facts, Finding, Report, Status
from mailcheck.facts.audit import AuditFacts
from mailcheck.facts.jsonable import jsonable
from mailcheck.report import actions, tell_sender, view

SCHEMA_FILE = "schema.json"  # beside this module; shipped in the wheel (report/*.json)


class JsonRenderer:
    """See ``Renderer``."""

    def render(self, report: Report) -> str:
        """See ``Renderer.render``."""
        return json.dumps(to_data(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class JsonLinesRenderer:
    """See ``Renderer``: the same data as ``JsonRenderer`` on one line (JSON Lines)."""

    def render(self, report: Report) -> str:
        """See ``Renderer.render``."""
        return json.dumps(to_data(report), sort_keys=True, ensure_ascii=False) + "\n"


def to_data(report: Report) -> dict[str, Any]:
    """The report as plain JSON-compatible data, with its derived verdict fields, each
    finding's owner and, first by sorted keys, the plan: what you do, what the sender fixes."""
    data = dataclasses.asdict(dataclasses.replace(report, checks=()))
    data["checks"] = [check_data(result) for result in report.checks]
    data["worst_status"] = report.worst_status.value
    data["findings"] = [finding_data(f) for f in report.findings]
    snippets = view.snippets(report)
    data["verdict"] = dataclasses.asdict(view.verdict(report, snippets))
    todo = actions.plan(report, snippets)
    data["actions"] = {
        "receiver_steps": [
            {"text": step.text, "code": step.code, "snippet": step.snippet} for step in todo.yours
        ],
        "sender_fixes": [finding_data(f) for f in todo.sender],
    }
    data["tell_the_sender"] = tell_sender.to_data(tell_sender.tell_the_sender(report))
    return data


def finding_data(finding: Finding) -> dict[str, Any]:
    """One finding as JSON data, with whose it is to act on (``mailcheck.base.codes.owner``)."""
    return {**dataclasses.asdict(finding), "owner": owner(finding).value}


def check_data(result: CheckResult) -> dict[str, Any]:
    """One check's section: its findings with their owners, its facts as JSON values."""
    return {
        "check": result.check,
        "title": result.title,
        "findings": [finding_data(f) for f in result.findings],
        "facts": facts_json(result.facts),
    }


def facts_json(facts: Facts | None) -> Any:
    """A check's facts as JSON data; a check that gathered none has an empty object."""
    return {} if facts is None else jsonable(facts)


def audit_json(facts: AuditFacts, findings: tuple[Finding, ...]) -> str:
    """``mailcheck audit --json``: the files, one finding per entry (``AuditResult.to_check``),
    the replacement and the worst status, as one document."""
    worst = max((f.status for f in findings), key=lambda s: s.severity, default=Status.PASS)
    document = {
        "schema_version": 1,
        "profile": facts.profile,
        "files": jsonable(facts.files),
        "findings": [dataclasses.asdict(f) for f in findings],
        "replacement": facts.replacement,
        "worst": worst.value,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
