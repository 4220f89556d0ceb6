"""The ``analyze`` command: explain why messages landed in junk, one report per message.

Text and ``--format jsonl`` stream: each message is written as soon as it is analysed, and a
folder or mbox ends with a summary table built from running counts. ``--json`` (one document)
and HTML (one page) hold every report until the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mailcheck.app.output import write_text
from mailcheck.app.resolver import open_resolver
from mailcheck.base.errors import ReportError, UsageError
from mailcheck.base.model import Report, Status
from mailcheck.cli.base import STATUS_EXIT, dns_options, emit, use_color
from mailcheck.dns.snapshot import EvidenceResolver
from mailcheck.report import ReportFormat
from mailcheck.rulefiles.profiles import get_profile

if TYPE_CHECKING:  # imported late at run time: only analyze needs the message modules
    from mailcheck.app.analyze import AnalyzeRequest
    from mailcheck.message.inputs import InputStats

STREAMED = (ReportFormat.TEXT, ReportFormat.JSONL)


def analyze(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck analyze``: the worst status over all messages decides the exit code."""
    from mailcheck.app.analyze import AnalyzeRequest, parse_networks
    from mailcheck.message.inputs import InputStats

    unsafe = args.allow_unsafe_networks
    profile = (
        get_profile(args.profile, tuple(args.rules), allow_unsafe_networks=unsafe)
        if args.profile
        else None
    )
    options = dns_options(args)
    resolver = open_resolver(options)
    request = AnalyzeRequest(
        args.message,
        sys.stdin.buffer if args.message == "-" else None,
        args.org_domain,
        parse_networks(args.org_network),
        tuple(args.authserv_id),
        profile,
        resolver.evidence().recorded_at,
        ("mailcheck", *argv),
    )
    output = args.format or ReportFormat.TEXT
    stats = InputStats()
    color = use_color(args.output is None and sys.stdout.isatty(), os.environ)
    if output in STREAMED:
        worst = _stream(request, resolver, stats, output, color, args.output)
    else:
        worst = _whole(request, resolver, stats, output, color, args.output)
    if args.record is not None:
        write_text(args.record, resolver.evidence().to_json())
    return STATUS_EXIT[worst]


def _stream(
    request: AnalyzeRequest,
    resolver: EvidenceResolver,
    stats: InputStats,
    output: ReportFormat,
    color: bool,
    path: Path | None,
) -> Status:
    """Write each report as it is done; a run of several ends with the summary."""
    from mailcheck.app.analyze import stream_messages
    from mailcheck.report.tally import render_table

    renderer = output.renderer(color=color)
    worst = [Status.PASS]
    with _opened(path) as stream:

        def done(report: Report) -> None:
            separator = "\n" if output is ReportFormat.TEXT and worst[1:] else ""
            stream.write(separator + renderer.render(report))
            stream.flush()
            worst.append(report.worst_status)

        tally = asyncio.run(stream_messages(request, resolver, done, stats))
        if output is ReportFormat.JSONL:
            summary = {"summary": tally.to_data(len(stats.skipped))}
            stream.write(json.dumps(summary, sort_keys=True, ensure_ascii=False) + "\n")
        elif tally.messages > 1 or stats.skipped:
            stream.write("\n" + render_table(tally, len(stats.skipped)))
    return max(worst, key=lambda s: s.severity)


def _whole(
    request: AnalyzeRequest,
    resolver: EvidenceResolver,
    stats: InputStats,
    output: ReportFormat,
    color: bool,
    path: Path | None,
) -> Status:
    from mailcheck.app.analyze import analyze_messages

    reports = asyncio.run(analyze_messages(request, resolver, stats))
    emit(_render_messages(reports, output, color, len(stats.skipped)), path)
    return max((r.worst_status for r in reports), key=lambda s: s.severity)


@contextlib.contextmanager
def _opened(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    with handle:
        yield handle


def _render_messages(
    reports: Sequence[Report], output: ReportFormat, color: bool, skipped: int
) -> str:
    """One message: its report. Several: one JSON document with the summary counts."""
    from mailcheck.message.tally import Tally
    from mailcheck.report.json import to_data

    if len(reports) == 1:
        return output.renderer(color=color).render(reports[0])
    if output is ReportFormat.JSON:
        tally = Tally()
        for report in reports:
            tally.add(report)
        documents = {
            "schema_version": reports[0].schema_version,
            "messages": [to_data(r) for r in reports],
            "summary": tally.to_data(skipped),
        }
        return json.dumps(documents, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    raise UsageError(f"{len(reports)} messages: HTML is one page per message (use --json)")
