"""The report folder: ``report.html``, ``report.json``, ``evidence.json`` and ``snippets/``.

Everything written is a function of the report and its evidence, so a replay of the evidence
writes the same bytes. The folder name comes from the evidence's time, never from the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mailcheck.base.errors import ReportError
from mailcheck.base.model import Report
from mailcheck.base.outfiles import make_directory, write_file
from mailcheck.report.html import HtmlRenderer
from mailcheck.report.json import JsonRenderer
from mailcheck.report.reuse import Reuse, snippet_views

REPORT_HTML, REPORT_JSON, EVIDENCE_JSON, SNIPPETS_DIR = (
    "report.html",
    "report.json",
    "evidence.json",
    "snippets",
)


def folder_name(generated_at: str) -> str:
    """``2026-11-22T03:00:00Z`` -> ``20261122T030000Z``: sortable and safe in any file system."""
    try:
        when = datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ReportError(f"report time {generated_at!r} is not an ISO 8601 time") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def default_directory(base: Path, report: Report) -> Path:
    """``<base>/<domain>/<UTC time of the evidence>/``."""
    domain = report.domain
    # The domain was validated by the app; this guards the file system against any other caller.
    if not domain or "/" in domain or "\\" in domain or domain.strip(".") == "":
        raise ReportError(f"{domain!r} cannot be used as a folder name")
    return base / domain / folder_name(report.generated_at)


def write_bundle(
    report: Report, evidence_json: str, directory: Path, reuse: Reuse | None = None
) -> Path:
    """Write the whole report folder; return the path of ``report.html``. ``reuse``: the
    run's shared check results, rendered once (a bulk run), the same bytes as without."""
    files = {
        REPORT_HTML: HtmlRenderer(reuse).render(report),
        REPORT_JSON: JsonRenderer(reuse).render(report),
        EVIDENCE_JSON: evidence_json,
    }
    snippets = {f"{SNIPPETS_DIR}/{s.filename}": s.text for s in snippet_views(report, reuse)}
    try:
        make_directory(directory / SNIPPETS_DIR)
        for name, text in (files | snippets).items():
            # Exactly the rendered bytes; a link planted at the name is replaced, not followed.
            write_file(directory / name, text.encode("utf-8"))
    except OSError as exc:
        raise ReportError(f"{directory}: cannot write the report: {exc.strerror or exc}") from exc
    return directory / REPORT_HTML
