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

from mailcheck.app.profiles import ProfileChoice
from mailcheck.base.errors import ReportError, UsageError
from mailcheck.base.model import Report, Status
from mailcheck.cli.base import STATUS_EXIT, dns_options, emit, use_color
from mailcheck.report import ReportFormat

if TYPE_CHECKING:  # imported late at run time: only analyze needs the message modules
    from mailcheck.app.analyze import AnalyzeRequest
    from mailcheck.app.analyze_message import MessageResult

STREAMED = (ReportFormat.TEXT, ReportFormat.JSONL)


def analyze(args: argparse.Namespace, argv: list[str]) -> int:
    """``mailcheck analyze``: the worst status over all messages decides the exit code."""
    from mailcheck.app.analyze import AnalyzeRequest

    profile = ProfileChoice(args.profile, tuple(args.rules), args.allow_unsafe_networks)
    output = args.format or ReportFormat.TEXT
    color = use_color(args.output is None and sys.stdout.isatty(), os.environ)
    request = AnalyzeRequest(
        args.message,
        dns_options(args),
        sys.stdin.buffer if args.message == "-" else None,
        args.org_domain,
        tuple(args.org_network),
        tuple(args.authserv_id),
        profile if args.profile else None,
        ("mailcheck", *argv),
        args.jobs,
        args.record,
        output=output if output in STREAMED else None,  # rendered where analysed
        color=color,
    )
    if output in STREAMED:
        worst = _stream(request, output, color, args.output)
    else:
        worst = _whole(request, output, color, args.output)
    return STATUS_EXIT[worst]


def _stream(
    request: AnalyzeRequest, output: ReportFormat, color: bool, path: Path | None
) -> Status:
    """Write each report as it is done; a run of several ends with the summary."""
    from mailcheck.app.analyze import stream_messages
    from mailcheck.report.tally import render_table

    written = [0]
    with _opened(path) as stream:

        def done(message: MessageResult) -> None:
            separator = "\n" if output is ReportFormat.TEXT and written[0] else ""
            stream.write(separator + message.text)
            stream.flush()
            written[0] += 1

        result = asyncio.run(stream_messages(request, done))
        if output is ReportFormat.JSONL:
            summary = {"summary": result.tally.to_data(result.skipped)}
            stream.write(json.dumps(summary, sort_keys=True, ensure_ascii=False) + "\n")
        elif result.tally.messages > 1 or result.skipped:
            stream.write("\n" + render_table(result.tally, result.skipped))
    return result.worst


def _whole(request: AnalyzeRequest, output: ReportFormat, color: bool, path: Path | None) -> Status:
    from mailcheck.app.analyze import analyze_messages

    result = asyncio.run(analyze_messages(request))
    emit(_render_messages(result.reports, output, color, result.skipped), path)
    return result.worst


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
