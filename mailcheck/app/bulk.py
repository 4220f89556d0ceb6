"""``mailcheck report`` over many domains: one folder per domain plus the run's summary files.

Each domain's folder is written as soon as it is done and only its summary row is kept, so the
run's memory does not grow with finished reports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from mailcheck.app.bulk_checks import (
    DEFAULT_CONCURRENCY,
    BulkProgress,
    BulkRequest,
    DomainOutcome,
    run_bulk,
)
from mailcheck.app.bulk_write import FolderWriter
from mailcheck.app.output import write_text
from mailcheck.app.profiles import ProfileChoice, choose_profile
from mailcheck.app.report import report_checks
from mailcheck.app.resolver import DnsOptions, open_resolver, resolver_health
from mailcheck.base.model import Status
from mailcheck.dns.snapshot import EvidenceResolver
from mailcheck.report import bundle, folders, summary
from mailcheck.rulefiles.sources import DEFAULT_MAX_AGE_DAYS
from mailcheck.smtp.probe import ProbeOptions

BULK_DIR = "bulk"  # <reports_dir>/bulk/<UTC time>/ unless ``output``

# Shows the run's progress (the CLI's ticker); given the run and its running counts.
ProgressWatcher = Callable[[Awaitable[None], BulkProgress], Awaitable[None]]


@dataclass(frozen=True)
class BulkReportRequest:
    """Many domains against one profile over one resolver; ``bad`` are the domains file's
    lines that are not domains (listed in the summary)."""

    domains: tuple[str, ...]
    dns: DnsOptions
    profile: ProfileChoice
    command: tuple[str, ...] = ()
    bad: tuple[str, ...] = ()
    concurrency: int = DEFAULT_CONCURRENCY
    probe: ProbeOptions | None = None
    max_source_age_days: int = DEFAULT_MAX_AGE_DAYS
    record: Path | None = None
    compare: Path | None = None
    output: Path | None = None
    reports_dir: Path = Path("reports")


@dataclass(frozen=True)
class BulkReportResult:
    """How many domains were checked, the worst verdict, and the summary page."""

    checked: int
    worst: Status
    index: Path


@dataclass(frozen=True)
class BulkHooks:
    """What the caller sees while the run goes: progress, and each domain's changes text."""

    progress: ProgressWatcher | None = None
    on_changes: Callable[[str], object] | None = None


def run_bulk_report(request: BulkReportRequest, hooks: BulkHooks | None = None) -> BulkReportResult:
    """Check every domain, write its folder, then the summary files (and the evidence)."""
    hooks = hooks or BulkHooks()
    shared = open_resolver(request.dns)
    live = request.dns.snapshot is None
    run = BulkRequest(
        request.domains,
        choose_profile(request.profile),
        report_checks(request.probe, fetch_policies=live),
        request.command,
        request.concurrency,
        live=live,
        max_source_age_days=request.max_source_age_days,
    )
    out = _output(request, shared)
    rows = _check_all(run, request, shared, out, hooks)
    if request.record is not None:
        write_text(request.record, shared.evidence().to_json())
    _write_summary(out, rows, shared.evidence().recorded_at, request.bad)
    worst = summary.worst_status(rows)
    return BulkReportResult(len(rows), worst, out / summary.SUMMARY_HTML)


def _check_all(
    run: BulkRequest,
    request: BulkReportRequest,
    shared: EvidenceResolver,
    out: Path,
    hooks: BulkHooks,
) -> list[summary.SummaryRow]:
    """Run the checks; each finished domain's folder is written by a worker process."""
    on_changes = hooks.on_changes or (lambda _: None)
    with FolderWriter(out, request.compare, on_changes) as writer:

        async def checks_then_folders() -> list[summary.SummaryRow]:
            await _run(run, request.dns, shared, writer.write, hooks.progress)
            return await writer.rows()

        return asyncio.run(checks_then_folders())


def _write_summary(
    out: Path, rows: list[summary.SummaryRow], when: str, bad: tuple[str, ...]
) -> None:
    for name, text in (
        (summary.SUMMARY_HTML, summary.to_html(rows, when, bad)),
        (summary.SUMMARY_JSON, summary.to_json(rows, when, bad)),
        (summary.SUMMARY_CSV, summary.to_csv(rows)),
    ):
        write_text(out / name, text)


async def _run(
    run: BulkRequest,
    options: DnsOptions,
    shared: EvidenceResolver,
    finished: Callable[[DomainOutcome], Awaitable[None]],
    watch: ProgressWatcher | None,
) -> None:
    run = replace(run, health=await resolver_health(options))
    progress = BulkProgress(len(run.domains))
    work = run_bulk(run, shared, finished, progress)
    await (watch(work, progress) if watch is not None else work)


def _output(request: BulkReportRequest, shared: EvidenceResolver) -> Path:
    if request.output is not None:
        return folders.new_folder(Path(request.output))
    when = bundle.folder_name(shared.evidence().recorded_at)
    return folders.new_folder(request.reports_dir / BULK_DIR / when)
