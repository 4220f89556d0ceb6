"""The ``audit`` command: an existing allowlist judged against a profile, and its replacement.

Exit codes: 0 every entry is documented or unrelated, 1 findings (legacy, wider than
documented, not understood), 2 an entry admits forged mail (unauthenticated sender allow, or a
shared sending service's pool).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from mailcheck.app.audit import AuditRequest, audit_allowlists
from mailcheck.app.profiles import ProfileChoice
from mailcheck.audit import AuditFormat
from mailcheck.base.errors import UsageError
from mailcheck.cli.base import STATUS_EXIT, dns_options, emit
from mailcheck.report import ReportFormat
from mailcheck.report.json import audit_json
from mailcheck.report.text import audit_text


def run_audit(args: argparse.Namespace) -> int:
    """``mailcheck audit FILE... --profile ID [--filter KIND]``."""
    if args.format is ReportFormat.HTML:
        raise UsageError("audit writes text or JSON; for HTML use `mailcheck report --audit FILE`")
    request = AuditRequest(
        tuple(args.files),
        ProfileChoice(args.profile, tuple(args.rules)),
        dns_options(args),
        AuditFormat(args.audit_filter) if args.audit_filter else None,
        args.record,
    )
    outcome = asyncio.run(audit_allowlists(request))
    render = audit_json if args.format is ReportFormat.JSON else audit_text
    emit(render(outcome.facts, outcome.findings), args.output)
    return STATUS_EXIT[outcome.worst]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``audit``'s own arguments (profile, DNS and output options are the shared ones)."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="allowlist files")
    parser.add_argument(
        "--filter",
        dest="audit_filter",
        choices=[k.value for k in AuditFormat],
        help="the files' format (default: guessed from name and content)",
    )
