"""JSON output: sorted keys, a top-level ``schema_version``, stable across runs.

The one place typed check facts (``mailcheck.facts``, and the message check's
``MessageFacts``) become JSON data (``check_data``), and where the ``mailcheck audit``
document is built (``audit_json``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from enum import Enum
from typing import Any

from mailcheck.base import json_text
from mailcheck.base.codes import owner
from mailcheck.base.model import CheckResult, DnsEvidence, Facts, Finding, Report, worst_status
from mailcheck.facts.audit import AuditFacts
from mailcheck.facts.jsonable import field_names, jsonable
from mailcheck.report import tell_sender
from mailcheck.report.reuse import Reuse, snippet_views, verdict_and_plan

SCHEMA_FILE = "schema.json"  # beside this module; shipped in the wheel (report/*.json)


class JsonRenderer:
    """See ``Renderer``; with ``reuse``, shared check results are encoded once per run."""

    def __init__(self, reuse: Reuse | None = None) -> None:
        self.reuse = reuse

    def render(self, report: Report) -> str:
        """See ``Renderer.render``: ``json.dumps(indent=2, sort_keys=True)``'s exact text."""
        reuse = self.reuse
        if reuse is None:
            return json_text.dumps(to_data(report)) + "\n"

        def entry(result: CheckResult) -> object:
            if reuse.is_shared(result):
                return reuse.json(result, lambda: check_data(result))
            return check_data(result)

        return json_text.dumps(_data(report, entry, reuse)) + "\n"


class JsonLinesRenderer:
    """See ``Renderer``: the same data as ``JsonRenderer`` on one line (JSON Lines)."""

    def render(self, report: Report) -> str:
        """See ``Renderer.render``."""
        return json.dumps(to_data(report), sort_keys=True, ensure_ascii=False) + "\n"


def to_data(report: Report) -> dict[str, Any]:
    """The report as plain JSON-compatible data, with its derived verdict fields, each
    finding's owner and, first by sorted keys, the plan: what you do, what the sender fixes."""
    return _data(report, check_data)


def _data(
    report: Report, entry: Callable[[CheckResult], object], reuse: Reuse | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = asdict(dataclasses.replace(report, checks=(), evidence=()))
    data["checks"] = tuple(entry(result) for result in report.checks)  # as asdict has it
    data["evidence"] = tuple(_evidence_entry(row, reuse) for row in report.evidence)
    data["worst_status"] = report.worst_status.value
    data["findings"] = [finding_data(f) for f in report.findings]
    verdict, todo = verdict_and_plan(report, snippet_views(report, reuse), reuse)
    data["verdict"] = asdict(verdict)
    data["actions"] = {
        "receiver_steps": [
            {"text": step.text, "code": step.code, "snippet": step.snippet} for step in todo.yours
        ],
        "sender_fixes": [finding_data(f) for f in todo.sender],
    }
    data["tell_the_sender"] = tell_sender.to_data(tell_sender.tell_the_sender(report))
    return data


def _evidence_entry(row: DnsEvidence, reuse: Reuse | None) -> object:
    # A run's sender-side lookups are equal rows in every report: encoded once (by_value).
    # The TTL's type is in the key: True == 1, but they would print differently.
    if reuse is None:
        return asdict(row)
    return reuse.by_value(("json", row, type(row.ttl)), lambda: json_text.Encoded(asdict(row)))


def finding_data(finding: Finding) -> dict[str, Any]:
    """One finding as JSON data, with whose it is to act on (``mailcheck.base.codes.owner``)."""
    return {**asdict(finding), "owner": owner(finding).value}


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
    document = {
        "schema_version": 1,
        "profile": facts.profile,
        "files": jsonable(facts.files),
        "findings": [dataclasses.asdict(f) for f in findings],
        "replacement": facts.replacement,
        "worst": worst_status(findings).value,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


_ATOMS = frozenset({str, int, float, bool, type(None)})  # deepcopy gives these back as they are


def asdict(value: Any) -> Any:
    """``dataclasses.asdict(value)``, equal in every part, about twice as fast: the same
    conversion (dataclasses to dicts, containers keep their type), but the fields of each class
    are looked up once and immutable leaves are not passed through ``copy.deepcopy``."""
    kind = type(value)
    if kind in _ATOMS or isinstance(value, Enum):  # Enum.__deepcopy__ returns the member
        return value
    names = field_names(kind)
    if names is not None:
        return {name: asdict(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return kind(*[asdict(item) for item in value])
    if isinstance(value, list | tuple):
        return kind(asdict(item) for item in value)
    if isinstance(value, dict):
        return kind((asdict(key), asdict(item)) for key, item in value.items())
    return copy.deepcopy(value)
