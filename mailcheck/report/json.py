"""JSON output: sorted keys, a top-level ``schema_version``, stable across runs.

The one place typed check facts (``mailcheck.facts``) become JSON data (``facts_data``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from mailcheck.base.codes import owner
from mailcheck.base.model import Facts, Finding, Report
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
    data = dataclasses.asdict(report)
    data["worst_status"] = report.worst_status.value
    data["findings"] = [finding_data(f) for f in report.findings]
    for check, result in zip(data["checks"], report.checks, strict=True):
        check["findings"] = [finding_data(f) for f in result.findings]
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


def facts_data(facts: Facts | Mapping[str, Any]) -> Mapping[str, Any]:
    """A check's facts as JSON-compatible data (a mapping already is: message, audit, snippets)."""
    return dataclasses.asdict(facts) if isinstance(facts, Facts) else facts
