"""``mailcheck diff OLD NEW`` and ``report --compare PREVIOUS``: what changed between reports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from mailcheck.app.diff import ReportDiff, diff_reports, load_report, render_text
from mailcheck.base.model import CheckResult, Finding, Report, Status
from mailcheck.facts.changes import ChangesFacts

CHANGES_CHECK = "changes"


@dataclass(frozen=True)
class DiffRequest:
    """Two report folders (or report.json files) of a domain, the earlier first."""

    old: Path
    new: Path


def diff_files(request: DiffRequest) -> ReportDiff:
    """What changed from ``old`` to ``new``."""
    return diff_reports(load_report(request.old), load_report(request.new))


def compare(report: Report, previous: Path) -> tuple[Report, str]:
    """``report`` plus a "Changed since <date>" section against the report at ``previous``,
    and the text of the changes."""
    from mailcheck.report.json import to_data

    result = diff_reports(load_report(previous), to_data(report))
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
    facts = ChangesFacts(str(previous), result.old_time)
    section = CheckResult(CHANGES_CHECK, f"Changed since {since}", findings, facts)
    return replace(report, checks=(*report.checks, section)), render_text(result)
