"""JSON output: sorted keys, a top-level ``schema_version``, stable across runs.

The one place typed check facts (``mailcheck.facts``) become JSON data (``facts_data``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from mailcheck.base import json_text
from mailcheck.base.codes import owner
from mailcheck.base.model import CheckResult, Facts, Finding, Report
from mailcheck.report import actions, tell_sender, view
from mailcheck.report.reuse import Reuse

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

        return json_text.dumps(_data(report, entry)) + "\n"


class JsonLinesRenderer:
    """See ``Renderer``: the same data as ``JsonRenderer`` on one line (JSON Lines)."""

    def render(self, report: Report) -> str:
        """See ``Renderer.render``."""
        return json.dumps(to_data(report), sort_keys=True, ensure_ascii=False) + "\n"


def to_data(report: Report) -> dict[str, Any]:
    """The report as plain JSON-compatible data, with its derived verdict fields, each
    finding's owner and, first by sorted keys, the plan: what you do, what the sender fixes."""
    return _data(report, check_data)


def _data(report: Report, entry: Callable[[CheckResult], object]) -> dict[str, Any]:
    data: dict[str, Any] = asdict(dataclasses.replace(report, checks=()))
    data["checks"] = tuple(entry(result) for result in report.checks)  # as asdict has it
    data["worst_status"] = report.worst_status.value
    data["findings"] = [finding_data(f) for f in report.findings]
    snippets = view.snippets(report)
    data["verdict"] = asdict(view.verdict(report, snippets))
    todo = actions.plan(report, snippets)
    data["actions"] = {
        "receiver_steps": [
            {"text": step.text, "code": step.code, "snippet": step.snippet} for step in todo.yours
        ],
        "sender_fixes": [finding_data(f) for f in todo.sender],
    }
    data["tell_the_sender"] = tell_sender.to_data(tell_sender.tell_the_sender(report))
    return data


def check_data(result: CheckResult) -> dict[str, Any]:
    """One check's result as JSON data, its findings with their owners."""
    data: dict[str, Any] = asdict(result)
    data["findings"] = [finding_data(f) for f in result.findings]
    return data


def finding_data(finding: Finding) -> dict[str, Any]:
    """One finding as JSON data, with whose it is to act on (``mailcheck.base.codes.owner``)."""
    return {**asdict(finding), "owner": owner(finding).value}


def facts_data(facts: Facts | Mapping[str, Any]) -> Mapping[str, Any]:
    """A check's facts as JSON-compatible data (a mapping already is: message, audit, snippets)."""
    return asdict(facts) if isinstance(facts, Facts) else facts


_ATOMS = frozenset({str, int, float, bool, type(None)})  # deepcopy gives these back as they are


def asdict(value: Any) -> Any:
    """``dataclasses.asdict(value)``, equal in every part, about twice as fast: the same
    conversion (dataclasses to dicts, containers keep their type), but the fields of each class
    are looked up once and immutable leaves are not passed through ``copy.deepcopy``."""
    kind = type(value)
    if kind in _ATOMS or isinstance(value, Enum):  # Enum.__deepcopy__ returns the member
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: asdict(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return kind(*[asdict(item) for item in value])
    if isinstance(value, list | tuple):
        return kind(asdict(item) for item in value)
    if isinstance(value, dict):
        return kind((asdict(key), asdict(item)) for key, item in value.items())
    return copy.deepcopy(value)


def _field_names(kind: type) -> tuple[str, ...] | None:
    if kind not in _FIELD_NAMES:
        dataclass = dataclasses.is_dataclass(kind)
        names = tuple(field.name for field in dataclasses.fields(kind)) if dataclass else None
        _FIELD_NAMES[kind] = names
    return _FIELD_NAMES[kind]


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}  # one entry per class
