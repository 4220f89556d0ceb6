"""JSON output: sorted keys, a top-level ``schema_version``, stable across runs."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from mailcheck.model import Report
from mailcheck.report import view

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
    """The report as plain JSON-compatible data, with its derived verdict fields."""
    data = dataclasses.asdict(report)
    data["worst_status"] = report.worst_status.value
    data["findings"] = [dataclasses.asdict(f) for f in report.findings]
    verdict = view.verdict(report, view.snippets(report))
    data["verdict"] = dataclasses.asdict(verdict)
    return data
