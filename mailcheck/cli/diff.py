"""``mailcheck diff OLD NEW`` and ``report --compare PREVIOUS``: what changed since last time.

``diff`` exits 0 when nothing changed and 1 when something did, so cron can mail the output.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from mailcheck.cli.base import EXIT_OK, EXIT_WARN, emit
from mailcheck.diff import diff_reports, load_report, render_json, render_text
from mailcheck.model import CheckResult, Finding, Report, Status

CHANGES_CHECK = "changes"


def add_diff_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """The ``diff`` command's arguments (``parser.py`` calls this)."""
    diff = commands.add_parser(
        "diff",
        help="what changed between two reports of a domain (exit 1 when anything did)",
        description="Compare two report folders (or report.json files): findings added, "
        "resolved or changed, live SPF ranges added or removed, provider and MX changes, "
        "snippet text changes (SHA-256). Exit 0: no change; 1: changed.",
    )
    diff.add_argument("old", type=Path, metavar="OLD", help="the earlier report folder or JSON")
    diff.add_argument("new", type=Path, metavar="NEW", help="the later report folder or JSON")
    diff.add_argument("--json", action="store_true", help="JSON instead of text")
    diff.add_argument("--output", type=Path, metavar="FILE", help="write here, not stdout")


def diff(args: argparse.Namespace) -> int:
    """``mailcheck diff``: print the changes; exit 1 when there are any."""
    result = diff_reports(load_report(args.old), load_report(args.new))
    emit(render_json(result) if args.json else render_text(result), args.output)
    return EXIT_WARN if result.changed else EXIT_OK


def compared(report: Report, previous: Path) -> Report:
    """``report`` plus a "Changed since <date>" section against the report at ``previous``;
    the text of the changes also goes to stdout."""
    from mailcheck.report.json import to_data

    result = diff_reports(load_report(previous), to_data(report))
    sys.stdout.write(render_text(result))
    since = result.old_time[:10] or "the previous report"
    findings = tuple(
        Finding(
            "CHG001",
            Status.INFO,
            f"{change.kind}: {change.subject}",
            detail=" → ".join(v for v in (change.old, change.new) if v),
            subject=change.subject,
        )
        for change in result.changes
    ) or (Finding("CHG002", Status.INFO, f"Nothing changed since {result.old_time}"),)
    facts = {"previous": str(previous), "previous_generated_at": result.old_time}
    section = CheckResult(CHANGES_CHECK, f"Changed since {since}", findings, facts)
    return replace(report, checks=(*report.checks, section))
