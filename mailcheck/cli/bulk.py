"""``mailcheck report`` over many domains: one folder per domain plus the run's summary files.

Each domain's folder is written as soon as it is done and only its summary row is kept, so the
run's memory does not grow with finished reports.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import multiprocessing
import os
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from mailcheck.app.output import write_text
from mailcheck.app.report import report_checks
from mailcheck.app.resolver import DnsOptions, open_resolver, resolver_health
from mailcheck.bulk import BulkProgress, BulkRequest, DomainOutcome, run_bulk
from mailcheck.cli.base import STATUS_EXIT, dns_options, pick_profile
from mailcheck.cli.progress import show_progress
from mailcheck.cli.report import probe_options
from mailcheck.dns.snapshot import EvidenceResolver
from mailcheck.errors import UsageError
from mailcheck.model import Report
from mailcheck.report import bundle, folders, summary

BULK_DIR = "bulk"  # reports/bulk/<UTC time>/ unless --output


def bulk_report(
    args: argparse.Namespace, argv: list[str], domains: tuple[str, ...], bad: tuple[str, ...]
) -> int:
    """Check every domain; the exit code is the worst of all of them."""
    _refuse_single_only(args)
    for line in bad:
        print(f"mailcheck: {args.domains_file}: {line} (skipped)", file=sys.stderr)
    if not domains:
        raise UsageError(f"{args.domains_file}: no domains to check")
    options = dns_options(args)
    shared = open_resolver(options)
    live = args.snapshot is None
    request = BulkRequest(
        domains,
        pick_profile(
            args.profile, tuple(args.rules), allow_unsafe_networks=args.allow_unsafe_networks
        ),
        report_checks(probe_options(args), fetch_policies=live),
        ("mailcheck", *argv),
        args.concurrency,
        live=live,
        max_source_age_days=args.max_source_age,
    )
    out = _output(args, shared)
    rows = _check_all(request, options, shared, out, args)
    if args.record is not None:
        write_text(args.record, shared.evidence().to_json())
    _write_summary(out, rows, shared.evidence().recorded_at, bad)
    worst = summary.worst_status(rows)
    print(f"Checked {len(rows)} domains; worst verdict: {worst.value}")
    print(f"Index: {out / summary.SUMMARY_HTML}")
    return STATUS_EXIT[worst]


def _check_all(
    request: BulkRequest,
    options: DnsOptions,
    shared: EvidenceResolver,
    out: Path,
    args: argparse.Namespace,
) -> list[summary.SummaryRow]:
    """Run the checks; each finished domain's folder is written by a worker process."""
    rows: list[summary.SummaryRow] = []
    talk = not args.quiet and sys.stderr.isatty()
    with _writers() as pool:

        async def finished(outcome: DomainOutcome) -> None:
            # Rendering a folder is CPU work: other processes do it, the DNS loop runs on.
            evidence = outcome.evidence.to_json()
            job = functools.partial(_write_domain, outcome.report, evidence, out, args.compare)
            rows.append(await asyncio.get_running_loop().run_in_executor(pool, job))

        asyncio.run(_run(request, options, shared, finished, talk))
    return rows


def _write_summary(
    out: Path, rows: list[summary.SummaryRow], when: str, bad: tuple[str, ...]
) -> None:
    for name, text in (
        (summary.SUMMARY_HTML, summary.to_html(rows, when, bad)),
        (summary.SUMMARY_JSON, summary.to_json(rows, when, bad)),
        (summary.SUMMARY_CSV, summary.to_csv(rows)),
    ):
        write_text(out / name, text)


def _refuse_single_only(args: argparse.Namespace) -> None:
    if args.replay is not None:
        raise UsageError("--replay rebuilds one domain from its evidence.json; drop the domains")
    if args.audit:
        raise UsageError("--audit goes with one domain's report (or use mailcheck audit)")
    if args.stdout or args.format is not None:
        raise UsageError("several domains write report folders; --format/--stdout print one")


async def _run(
    request: BulkRequest,
    options: DnsOptions,
    shared: EvidenceResolver,
    finished: Callable[[DomainOutcome], Awaitable[None]],
    talk: bool,
) -> None:
    request = replace(request, health=await resolver_health(options))
    progress = BulkProgress(len(request.domains))
    work = run_bulk(request, shared, finished, progress)
    await (show_progress(work, progress, sys.stderr) if talk else work)


def _output(args: argparse.Namespace, shared: EvidenceResolver) -> Path:
    if args.output is not None:
        return folders.new_folder(Path(args.output))
    base = Path(os.environ.get("MAILCHECK_REPORTS_DIR", "reports"))
    when = bundle.folder_name(shared.evidence().recorded_at)
    return folders.new_folder(base / BULK_DIR / when)


def _writers() -> ProcessPoolExecutor:
    # forkserver: the children do not inherit this process's threads (a fork would).
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context)


def _write_domain(
    report: Report, evidence_json: str, out: Path, compare: Path | None
) -> summary.SummaryRow:
    """One domain's folder (in a worker process); its summary row back."""
    if compare is not None and (compare / report.domain).is_dir():
        from mailcheck.cli.diff import compared

        report = compared(report, compare / report.domain)
    bundle.write_bundle(report, evidence_json, out / report.domain)
    return summary.summary_row(report, f"{report.domain}/{bundle.REPORT_HTML}")
