"""The ``report`` and ``sender`` commands: arguments to a request, the result rendered.

One domain writes one report folder; several (or ``--domains-file``) make a bulk run
(``cli/bulk.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import TextIO

from mailcheck.app.bulk_checks import DEFAULT_CONCURRENCY
from mailcheck.app.domains import read_domains_file, unique_domains
from mailcheck.app.profiles import ProfileChoice
from mailcheck.app.report import ReportRequest, run_report
from mailcheck.app.sender import SenderRequest, run_sender
from mailcheck.base.errors import UsageError
from mailcheck.base.model import Report
from mailcheck.cli.base import STATUS_EXIT, dns_options, emit, use_color
from mailcheck.cli.options import probe_options
from mailcheck.cli.progress import show_waits
from mailcheck.cli.usage import positive_int
from mailcheck.dns.watch import WatchedResolver
from mailcheck.report import ReportFormat
from mailcheck.report.text import TextRenderer


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """The options for many domains, progress and comparison (``parser.py`` calls this)."""
    parser.add_argument(
        "--domains-file",
        type=Path,
        metavar="FILE",
        help="check every domain in FILE too (one per line; # comments and blanks ignored)",
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"domains checked at once in a bulk run (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress or waiting messages on stderr"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="PREVIOUS",
        help="an earlier report folder or report.json: add what changed since then",
    )


def report(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck report``: the report folder (or one format on stdout) and its exit code."""
    domains, bad = _domains(args)
    if len(domains) > 1 or args.domains_file is not None:
        from mailcheck.cli.bulk import bulk_report

        return bulk_report(args, argv, domains, bad)
    request = _report_request(args, argv, domains)
    live = args.replay is None and args.snapshot is None
    talk = live and not args.quiet and sys.stderr.isatty()
    waits = functools.partial(_show_waits, stream=sys.stderr) if talk else None
    result = asyncio.run(run_report(request, waits))
    sys.stdout.write(result.changes)
    color = use_color(sys.stdout.isatty(), os.environ)
    if result.html is None:
        renderer = (args.format or ReportFormat.TEXT).renderer(color=color and not args.output)
        emit(renderer.render(result.report), args.output)
    else:
        sys.stdout.write(TextRenderer(color=color).summary(result.report, result.html.parent))
        print(f"Report: {result.html}")
    return STATUS_EXIT[result.report.worst_status]


async def _show_waits(build: Awaitable[Report], watched: WatchedResolver, stream: TextIO) -> Report:
    return await show_waits(build, watched, stream)


def _domains(args: argparse.Namespace) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The command line's domains, then the file's; bad file lines as ``line N: ...``."""
    named = unique_domains(args.domain)
    if args.domains_file is None:
        return named, ()
    listed, bad = read_domains_file(args.domains_file)
    return tuple(dict.fromkeys(named + listed)), tuple(str(b) for b in bad)


def _report_request(
    args: argparse.Namespace, argv: list[str], domains: tuple[str, ...]
) -> ReportRequest:
    """The command line as a request for one domain (or a replay)."""
    probe = probe_options(args)
    if args.replay is not None and domains:
        raise UsageError("--replay takes the domain recorded in the evidence; drop DOMAIN")
    if args.replay is None and not domains:
        raise UsageError(
            "report: the following arguments are required: domain (or --domains-file, --replay)"
        )
    if args.replay is not None and args.output is not None and not _prints(args):
        if args.output.resolve() == args.replay.resolve().parent:
            raise UsageError("--replay writes a new folder: --output must not be the one it reads")
    return ReportRequest(
        domains[0] if domains else None,
        dns_options(args),
        ProfileChoice(args.profile, tuple(args.rules), args.allow_unsafe_networks),
        ("mailcheck", *argv),
        replay=args.replay,
        probe=probe,
        max_source_age_days=args.max_source_age,
        audit_paths=tuple(args.audit),
        record=args.record,
        compare=args.compare,
        folder=not _prints(args),
        output=args.output,
        reports_dir=Path(os.environ.get("MAILCHECK_REPORTS_DIR", "reports")),
    )


def _prints(args: argparse.Namespace) -> bool:
    """One format on stdout (or ``--output`` file) rather than a report folder."""
    return bool(args.stdout or args.format is not None)


def sender(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck sender``: the sender's live SPF against its profile (matrix first in text)."""
    if args.profile_id and args.profile:
        raise UsageError("sender: give the profile once, as PROFILE or as --profile, not both")
    chosen = args.profile_id or args.profile or os.environ.get("MAILCHECK_PROFILE")
    request = SenderRequest(
        ProfileChoice(chosen, tuple(args.rules), args.allow_unsafe_networks),
        dns_options(args),
        ("mailcheck", *argv),
        args.max_source_age,
        args.record,
    )
    report = asyncio.run(run_sender(request))
    color = use_color(args.output is None and sys.stdout.isatty(), os.environ)
    output_format = args.format or ReportFormat.TEXT
    if output_format is ReportFormat.TEXT:
        text = TextRenderer(color=color).sender_report(report)
    else:
        text = output_format.renderer(color=color).render(report)
    emit(text, args.output)
    return STATUS_EXIT[report.worst_status]
