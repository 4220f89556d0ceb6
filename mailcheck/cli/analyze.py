"""The ``analyze`` command: explain why messages landed in junk, as one report per message."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence

from mailcheck import app
from mailcheck.cli.base import STATUS_EXIT, emit, use_color, write
from mailcheck.dns.live import Nameserver
from mailcheck.errors import UsageError
from mailcheck.model import Report
from mailcheck.profiles import get_profile
from mailcheck.report import ReportFormat


def analyze(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck analyze``: the worst status over all messages decides the exit code."""
    from mailcheck.message.run import analyze_messages, parse_networks

    unsafe = args.allow_unsafe_networks
    profile = (
        get_profile(args.profile, tuple(args.rules), allow_unsafe_networks=unsafe)
        if args.profile
        else None
    )
    options = app.DnsOptions(
        args.snapshot, tuple(Nameserver.from_text(n) for n in args.nameserver), args.timeout
    )
    resolver = app.open_resolver(options)
    reports = asyncio.run(
        analyze_messages(
            args.message,
            sys.stdin.buffer if args.message == "-" else None,
            resolver,
            org_domain=args.org_domain,
            networks=parse_networks(args.org_network),
            authserv_ids=tuple(args.authserv_id),
            profile=profile,
            generated_at=resolver.evidence().recorded_at,
            command=("mailcheck", *argv),
        )
    )
    if args.record is not None:
        write(args.record, resolver.evidence().to_json())
    color = use_color(args.output is None and sys.stdout.isatty(), os.environ)
    text = _render_messages(reports, args.format or ReportFormat.TEXT, color)
    emit(text, args.output)
    worst = max((r.worst_status for r in reports), key=lambda s: s.severity)
    return STATUS_EXIT[worst]


def _render_messages(reports: Sequence[Report], output: ReportFormat, color: bool) -> str:
    """One message: its report. Several: text reports in a row, or one JSON document."""
    from mailcheck.report.json import to_data

    if len(reports) == 1:
        return output.renderer(color=color).render(reports[0])
    if output is ReportFormat.JSON:
        documents = {
            "schema_version": reports[0].schema_version,
            "messages": [to_data(r) for r in reports],
        }
        return json.dumps(documents, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if output is ReportFormat.HTML:
        raise UsageError(f"{len(reports)} messages: HTML is one page per message (use --json)")
    renderer = output.renderer(color=color)
    return "\n".join(renderer.render(r) for r in reports)
