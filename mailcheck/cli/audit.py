"""The ``audit`` command: an existing allowlist judged against a profile, and its replacement.

Exit codes: 0 every entry is documented or unrelated, 1 findings (legacy, wider than
documented, not understood), 2 an entry admits forged mail (unauthenticated sender allow, or a
shared sending service's pool).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from pathlib import Path

from mailcheck import app
from mailcheck.audit import AuditFormat, AuditResult, audit
from mailcheck.audit.replacement import replacement
from mailcheck.cli.base import STATUS_EXIT, emit, pick_profile, write
from mailcheck.dns.live import Nameserver
from mailcheck.errors import UsageError
from mailcheck.model import Status
from mailcheck.report import ReportFormat
from mailcheck.report.json import facts_data


def run_audit(args: argparse.Namespace) -> int:
    """``mailcheck audit FILE... --profile ID [--filter KIND]``."""
    if args.format is ReportFormat.HTML:
        raise UsageError("audit writes text or JSON; for HTML use `mailcheck report --audit FILE`")
    profile = pick_profile(args.profile, tuple(args.rules))
    kind = AuditFormat(args.audit_filter) if args.audit_filter else None
    options = app.DnsOptions(
        args.snapshot, tuple(Nameserver.from_text(n) for n in args.nameserver), args.timeout
    )
    resolver = app.open_resolver(options)
    result = asyncio.run(audit(tuple(args.files), profile, resolver, kind))
    if args.record is not None:  # the services' SPF answers the verdicts rest on
        write(args.record, resolver.evidence().to_json())
    text = replacement(result, profile)
    if args.format is ReportFormat.JSON:
        check = result.to_check(text)
        document = {
            "schema_version": 1,
            "profile": profile.id,
            "files": facts_data(check.facts)["files"],
            "findings": [dataclasses.asdict(f) for f in check.findings],
            "replacement": text,
            "worst": result.worst.value,
        }
        emit(json.dumps(document, indent=2, sort_keys=True) + "\n", args.output)
    else:
        emit(render_text(result, text), args.output)
    return STATUS_EXIT[result.worst]


def render_text(result: AuditResult, text: str) -> str:
    """Text output: one line per entry, the details indented, then the replacement."""
    check = result.to_check(text)
    lines = [f"audit of {', '.join(f for f, _ in result.files)} against {result.profile}"]
    for finding in check.findings:
        lines.append(f"{finding.status.value.upper():<5} {finding.code} {finding.summary}")
        lines += [f"      {e}" for e in finding.evidence]
        if finding.detail:
            lines.append(f"      {finding.detail}")
    counts = {s: sum(1 for f in check.findings if f.status is s) for s in Status}
    lines.append(
        f"{len(check.findings)} entries: {counts[Status.FAIL]} admit forged mail, "
        f"{counts[Status.WARN]} to fix, {counts[Status.PASS]} documented, "
        f"{counts[Status.INFO]} unrelated"
    )
    lines += ["", "Least-privilege replacement:", text]
    return "\n".join(lines) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``audit``'s own arguments (profile, DNS and output options are the shared ones)."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="allowlist files")
    parser.add_argument(
        "--filter",
        dest="audit_filter",
        choices=[k.value for k in AuditFormat],
        help="the files' format (default: guessed from name and content)",
    )
