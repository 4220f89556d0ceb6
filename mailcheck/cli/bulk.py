"""``mailcheck report`` over many domains: the arguments as a ``BulkReportRequest``, the
result as two lines (the run itself is ``app/bulk.py``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable
from pathlib import Path

from mailcheck.app.bulk import BulkHooks, BulkReportRequest, run_bulk_report
from mailcheck.app.bulk_checks import BulkProgress
from mailcheck.app.profiles import ProfileChoice
from mailcheck.base.errors import UsageError
from mailcheck.cli.base import STATUS_EXIT, dns_options
from mailcheck.cli.options import probe_options
from mailcheck.cli.progress import show_progress


def bulk_report(
    args: argparse.Namespace, argv: list[str], domains: tuple[str, ...], bad: tuple[str, ...]
) -> int:
    """Check every domain; the exit code is the worst of all of them."""
    _refuse_single_only(args)
    for line in bad:
        print(f"mailcheck: {args.domains_file}: {line} (skipped)", file=sys.stderr)
    if not domains:
        raise UsageError(f"{args.domains_file}: no domains to check")
    request = BulkReportRequest(
        domains,
        dns_options(args),
        ProfileChoice(args.profile, tuple(args.rules), args.allow_unsafe_networks),
        ("mailcheck", *argv),
        bad,
        args.concurrency,
        probe_options(args),
        args.max_source_age,
        args.record,
        args.compare,
        args.output,
        Path(os.environ.get("MAILCHECK_REPORTS_DIR", "reports")),
    )
    talk = not args.quiet and sys.stderr.isatty()
    hooks = BulkHooks(_show_progress if talk else None, sys.stdout.write)
    result = run_bulk_report(request, hooks)
    print(f"Checked {result.checked} domains; worst verdict: {result.worst.value}")
    print(f"Index: {result.index}")
    return STATUS_EXIT[result.worst]


def _show_progress(work: Awaitable[None], progress: BulkProgress) -> Awaitable[None]:
    return show_progress(work, progress, sys.stderr)


def _refuse_single_only(args: argparse.Namespace) -> None:
    if args.replay is not None:
        raise UsageError("--replay rebuilds one domain from its evidence.json; drop the domains")
    if args.audit:
        raise UsageError("--audit goes with one domain's report (or use mailcheck audit)")
    if args.stdout or args.format is not None:
        raise UsageError("several domains write report folders; --format/--stdout print one")
