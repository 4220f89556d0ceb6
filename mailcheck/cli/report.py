"""The ``report`` and ``sender`` commands: pick a resolver, build the report, render, write.

One domain writes one report folder; several (or ``--domains-file``) make a bulk run
(``cli/bulk.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

from mailcheck import app
from mailcheck.bulk import DEFAULT_CONCURRENCY
from mailcheck.checks import Check
from mailcheck.cli.base import STATUS_EXIT, emit, pick_profile, use_color, write
from mailcheck.cli.options import dns_options, probe_options
from mailcheck.cli.progress import show_waits
from mailcheck.dns.snapshot import EvidenceResolver
from mailcheck.dns.watch import WatchedResolver
from mailcheck.domains import read_domains_file, unique_domains
from mailcheck.errors import UsageError
from mailcheck.model import Report
from mailcheck.profiles import SenderProfile
from mailcheck.report import ReportFormat, bundle, folders, tell_sender
from mailcheck.report.sender_matrix import render_matrix
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
        type=_positive,
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


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return value


def report(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck report``: the report folder (or one format on stdout) and its exit code."""
    domains, bad = _domains(args)
    if len(domains) > 1 or args.domains_file is not None:
        from mailcheck.cli.bulk import bulk_report

        return bulk_report(args, argv, domains, bad)
    probe = probe_options(args)
    request, resolver, options = _report_request(args, argv, domains)
    profile = pick_profile(
        request.profile_id, tuple(args.rules), allow_unsafe_networks=args.allow_unsafe_networks
    )
    # Replaying evidence must not touch the network: no policy fetches then.
    live = args.replay is None and args.snapshot is None
    checks = app.report_checks(probe, fetch_policies=live)
    talk = live and not args.quiet and sys.stderr.isatty()
    report, request = asyncio.run(
        _run_one(request, resolver, options, profile, checks, args, live=live, talk=talk)
    )
    evidence = app.with_request(resolver.evidence(), replace(request, profile_id=profile.id))
    if args.record is not None:
        write(args.record, evidence.to_json())
    if args.compare is not None:
        from mailcheck.cli.diff import compared

        report = compared(report, args.compare)
    color = use_color(sys.stdout.isatty(), os.environ)
    if args.stdout or args.format is not None:
        renderer = (args.format or ReportFormat.TEXT).renderer(color=color and not args.output)
        emit(renderer.render(report), args.output)
    else:
        html = bundle.write_bundle(report, evidence.to_json(), _folder(args, report))
        sys.stdout.write(TextRenderer(color=color).summary(report, html.parent))
        print(f"Report: {html}")
    return STATUS_EXIT[report.worst_status]


async def _run_one(
    request: app.RunRequest,
    resolver: EvidenceResolver,
    options: app.DnsOptions | None,
    profile: SenderProfile,
    checks: tuple[Check, ...],
    args: argparse.Namespace,
    *,
    live: bool,
    talk: bool,
) -> tuple[Report, app.RunRequest]:
    """Check the resolver (live runs), then build the report, saying what it waits for."""
    if live and options is not None:
        request = replace(request, health=await app.resolver_health(options))
    watched = WatchedResolver(resolver)
    build = app.build_report(
        request.domain,
        watched,
        profile,
        checks,
        request.command,
        max_source_age_days=args.max_source_age,
        audit_paths=tuple(args.audit),
        health=request.health,
    )
    report = await show_waits(build, watched, sys.stderr) if talk else await build
    return report, request


def _folder(args: argparse.Namespace, report: Report) -> Path:
    """Where the folder goes: ``--output``, else a new ``reports/<domain>/<time>[-N]/`` that
    ``reports/<domain>/latest`` then points at. Never the folder a replay reads."""
    if args.replay is not None and args.output is not None:
        if args.output.resolve() == args.replay.resolve().parent:
            raise UsageError("--replay writes a new folder: --output must not be the one it reads")
    if args.output is not None:
        return Path(args.output)
    base = Path(os.environ.get("MAILCHECK_REPORTS_DIR", "reports"))
    folder = folders.new_folder(bundle.default_directory(base, report))
    folders.point_latest(folder)
    return folder


def _domains(args: argparse.Namespace) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The command line's domains, then the file's; bad file lines as ``line N: ...``."""
    named = unique_domains(args.domain)
    if args.domains_file is None:
        return named, ()
    listed, bad = read_domains_file(args.domains_file)
    return tuple(dict.fromkeys(named + listed)), tuple(str(b) for b in bad)


def _report_request(
    args: argparse.Namespace, argv: list[str], domains: tuple[str, ...]
) -> tuple[app.RunRequest, EvidenceResolver, app.DnsOptions | None]:
    if args.replay is not None:
        if domains:
            raise UsageError("--replay takes the domain recorded in the evidence; drop DOMAIN")
        request, replayed = app.open_replay(args.replay)
        return request, replayed, None
    if not domains:
        raise UsageError(
            "report: the following arguments are required: domain (or --domains-file, --replay)"
        )
    options = dns_options(args)
    resolver = app.open_resolver(options)
    return app.RunRequest(domains[0], args.profile, ("mailcheck", *argv)), resolver, options


def sender(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck sender``: the sender's live SPF against its profile (matrix first in text)."""
    if args.profile_id and args.profile:
        raise UsageError("sender: give the profile once, as PROFILE or as --profile, not both")
    chosen = args.profile_id or args.profile or os.environ.get("MAILCHECK_PROFILE")
    profile = pick_profile(
        chosen, tuple(args.rules), allow_unsafe_networks=args.allow_unsafe_networks
    )
    resolver = app.open_resolver(dns_options(args))
    command = ("mailcheck", *argv)
    report = asyncio.run(app.build_sender_report(resolver, profile, command, args.max_source_age))
    if args.record is not None:
        write(args.record, resolver.evidence().to_json())
    color = use_color(args.output is None and sys.stdout.isatty(), os.environ)
    output_format = args.format or ReportFormat.TEXT
    if output_format is ReportFormat.TEXT:  # the decision first, the matrix after it
        text = TextRenderer(color=color).sender(report, render_matrix(report))
        text += tell_sender.to_text(tell_sender.tell_the_sender(report))
    else:
        text = output_format.renderer(color=color).render(report)
    emit(text, args.output)
    return STATUS_EXIT[report.worst_status]
