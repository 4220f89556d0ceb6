"""The ``report`` and ``sender`` commands: pick a resolver, build the report, render, write."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

from mailcheck import app
from mailcheck.cli.base import STATUS_EXIT, emit, pick_profile, use_color, write
from mailcheck.dns.live import Nameserver
from mailcheck.dns.snapshot import EvidenceResolver
from mailcheck.errors import UsageError
from mailcheck.report import ReportFormat, bundle, tell_sender
from mailcheck.report.sender_matrix import render_matrix
from mailcheck.report.text import TextRenderer
from mailcheck.smtp.probe import ProbeOptions


def report(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck report``: the report folder (or one format on stdout) and its exit code."""
    probe = _probe_options(args)
    request, resolver = _report_request(args, argv)
    profile = pick_profile(
        request.profile_id, tuple(args.rules), allow_unsafe_networks=args.allow_unsafe_networks
    )
    # Replaying evidence must not touch the network: no policy fetches then.
    live = args.replay is None and args.snapshot is None
    checks = app.report_checks(probe, fetch_policies=live)
    report = asyncio.run(
        app.build_report(
            request.domain,
            resolver,
            profile,
            checks,
            command=request.command,
            max_source_age_days=args.max_source_age,
            audit_paths=tuple(args.audit),
        )
    )
    evidence = app.with_request(resolver.evidence(), replace(request, profile_id=profile.id))
    if args.record is not None:
        write(args.record, evidence.to_json())
    color = use_color(sys.stdout.isatty(), os.environ)
    if args.stdout or args.format is not None:
        renderer = (args.format or ReportFormat.TEXT).renderer(color=color and not args.output)
        emit(renderer.render(report), args.output)
    else:
        base = Path(os.environ.get("MAILCHECK_REPORTS_DIR", "reports"))
        directory = args.output or bundle.default_directory(base, report)
        html = bundle.write_bundle(report, evidence.to_json(), directory)
        sys.stdout.write(TextRenderer(color=color).summary(report, html.parent))
        print(f"Report: {html}")
    return STATUS_EXIT[report.worst_status]


def _report_request(
    args: argparse.Namespace, argv: list[str]
) -> tuple[app.RunRequest, EvidenceResolver]:
    if args.replay is not None:
        if args.domain is not None:
            raise UsageError("--replay takes the domain recorded in the evidence; drop DOMAIN")
        return app.open_replay(args.replay)
    if args.domain is None:
        raise UsageError("report: the following arguments are required: domain (or --replay)")
    try:
        domain = app.check_domain(args.domain)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    options = app.DnsOptions(
        args.snapshot, tuple(Nameserver.from_text(n) for n in args.nameserver), args.timeout
    )
    resolver = app.open_resolver(options)
    return app.RunRequest(domain, args.profile, ("mailcheck", *argv)), resolver


def _probe_options(args: argparse.Namespace) -> ProbeOptions | None:
    if not args.probe_rcpt:
        return None
    if args.replay is not None or args.snapshot is not None:
        raise UsageError("--probe-rcpt talks to the live MX hosts; it cannot replay evidence")
    try:
        return app.probe_options(args.probe_rcpt, args.probe_port, args.probe_max_mx)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def sender(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck sender``: the sender's live SPF against its profile (matrix first in text)."""
    if args.profile_id and args.profile:
        raise UsageError("sender: give the profile once, as PROFILE or as --profile, not both")
    chosen = args.profile_id or args.profile or os.environ.get("MAILCHECK_PROFILE")
    profile = pick_profile(
        chosen, tuple(args.rules), allow_unsafe_networks=args.allow_unsafe_networks
    )
    options = app.DnsOptions(
        args.snapshot, tuple(Nameserver.from_text(n) for n in args.nameserver), args.timeout
    )
    resolver = app.open_resolver(options)
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
