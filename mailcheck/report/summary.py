"""The top of a bulk run's folder: ``index.html``, ``summary.json`` and ``summary.csv``.

One row per domain, built from its report as soon as it is done, so a run over thousands of
domains keeps rows, not reports. The page has the report's look and Content-Security-Policy;
its one script (by hash) sorts the table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from markupsafe import Markup

from mailcheck import __version__
from mailcheck.base.model import Report, Status, facts_of
from mailcheck.facts.provider import ProviderFacts
from mailcheck.report.html import TEMPLATES, content_security_policy, environment

SUMMARY_SCHEMA_VERSION = 1
SUMMARY_HTML, SUMMARY_JSON, SUMMARY_CSV = "index.html", "summary.json", "summary.csv"
CSV_COLUMNS = ("domain", "status", "provider", "worst_code", "worst_summary", "report")


@dataclass(frozen=True)
class SummaryRow:
    """One domain of a bulk run: its verdict, filtering provider and worst finding."""

    domain: str
    status: str
    provider: str
    worst_code: str
    worst_summary: str
    report: str  # the report page, relative to the summary files
    counts: dict[str, int]


def summary_row(report: Report, link: str) -> SummaryRow:
    """The row for one finished report."""
    worst = report.findings[0] if report.findings else None
    counts = {s.value: 0 for s in Status}
    for finding in report.findings:
        counts[finding.status.value] += 1
    return SummaryRow(
        report.domain,
        report.worst_status.value,
        _provider(report),
        worst.code if worst else "",
        worst.summary if worst else "",
        link,
        counts,
    )


def _provider(report: Report) -> str:
    found = facts_of(report.checks, ProviderFacts)
    return (found.provider_name or found.provider) if found is not None else ""


def worst_status(rows: Sequence[SummaryRow]) -> Status:
    """The worst verdict of the run (``pass`` when there are no rows)."""
    statuses = (Status(r.status) for r in rows)
    return max(statuses, key=lambda s: s.severity, default=Status.PASS)


def to_json(rows: Sequence[SummaryRow], generated_at: str, skipped: Sequence[str]) -> str:
    """``summary.json`` (see ``summary.schema.json``): rows sorted by domain."""
    document: dict[str, Any] = {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "tool_version": __version__,
        "generated_at": generated_at,
        "worst_status": worst_status(rows).value,
        "domains": [asdict(r) for r in sorted(rows, key=lambda r: r.domain)],
        "skipped_lines": list(skipped),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_csv(rows: Sequence[SummaryRow]) -> str:
    """``summary.csv``: one line per domain, a cell never starting a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in sorted(rows, key=lambda r: r.domain):
        writer.writerow(_cell(str(getattr(row, column))) for column in CSV_COLUMNS)
    return out.getvalue()


def _cell(text: str) -> str:
    # DNS-derived text: a leading = + - @ would run as a formula in a spreadsheet (CWE-1236).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_html(rows: Sequence[SummaryRow], generated_at: str, skipped: Sequence[str]) -> str:
    """``index.html``: a sortable table of every domain, linking to each report."""
    css = "".join((TEMPLATES / n).read_text(encoding="utf-8") for n in ("report.css", "index.css"))
    script = (TEMPLATES / "sort.js").read_text(encoding="utf-8")
    ordered = sorted(rows, key=lambda r: (-Status(r.status).severity, r.domain))
    return (
        environment()
        .get_template("index.html")
        .render(
            rows=ordered,
            worst=worst_status(rows).value,
            generated_at=generated_at,
            skipped=skipped,
            tool_version=__version__,
            severity={s.value: s.severity for s in Status},
            csp=content_security_policy(css, script),
            css=Markup(css),
            script=Markup(script),
        )
    )
