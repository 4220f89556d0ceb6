"""``mailcheck diff OLD NEW`` and ``report --compare PREVIOUS``: what changed since last time.

``diff`` exits 0 when nothing changed and 1 when something did, so cron can mail the output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mailcheck.app.compare import DiffRequest, compare, diff_files
from mailcheck.app.diff import render_json, render_text
from mailcheck.base.model import Report
from mailcheck.cli.base import EXIT_OK, EXIT_WARN, emit


def add_diff_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """The ``diff`` command's arguments (``parser.py`` calls this)."""
    diff = commands.add_parser(
        "diff",
        help="what changed between two reports of a domain (exit 1 when anything did)",
        description="Compare two report folders (or report.json files): findings added, "
        "resolved or changed, live SPF ranges added or removed, provider and MX changes, "
        "snippet text changes (SHA-256). Exit 0: no change; 1: changed.",
    )
    diff.add_argument("old", type=Path, metavar="OLD", help="the earlier report folder or JSON")
    diff.add_argument("new", type=Path, metavar="NEW", help="the later report folder or JSON")
    diff.add_argument("--json", action="store_true", help="JSON instead of text")
    diff.add_argument("--output", type=Path, metavar="FILE", help="write here, not stdout")


def diff(args: argparse.Namespace) -> int:
    """``mailcheck diff``: print the changes; exit 1 when there are any."""
    result = diff_files(DiffRequest(args.old, args.new))
    emit(render_json(result) if args.json else render_text(result), args.output)
    return EXIT_WARN if result.changed else EXIT_OK


def compared(report: Report, previous: Path) -> Report:
    """``report`` plus a "Changed since <date>" section against the report at ``previous``;
    the text of the changes also goes to stdout."""
    report, changes = compare(report, previous)
    sys.stdout.write(changes)
    return report
