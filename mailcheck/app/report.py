"""``mailcheck report`` for one domain: resolver, checks, report, evidence, folder.

Many domains go through ``mailcheck.app.bulk_checks``; the CLI only maps arguments to a
``ReportRequest``.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from mailcheck.app.build import build_report
from mailcheck.app.compare import compare
from mailcheck.app.evidence import RunRequest, open_replay, with_request
from mailcheck.app.output import write_text
from mailcheck.app.profiles import ProfileChoice, choose_profile
from mailcheck.app.resolver import DnsOptions, open_resolver, resolver_health
from mailcheck.base.errors import InputError
from mailcheck.base.model import Report
from mailcheck.checks import DEFAULT_CHECKS, Check
from mailcheck.checks.probe import ProbeCheck
from mailcheck.checks.tls import TlsPostureCheck
from mailcheck.dns.snapshot import EvidenceResolver, Snapshot
from mailcheck.dns.watch import WatchedResolver
from mailcheck.protocols.https import FetchOptions
from mailcheck.report import bundle, folders
from mailcheck.rulefiles.sources import DEFAULT_MAX_AGE_DAYS
from mailcheck.smtp.probe import ProbeOptions

# Shows what a live run waits for (the CLI's ticker); given the build and the watched resolver.
WaitWatcher = Callable[[Awaitable[Report], WatchedResolver], Awaitable[Report]]


@dataclass(frozen=True)
class ReportRequest:
    """One domain's report: live (``domain`` over ``dns``) or replayed from ``replay``.

    ``folder`` False means the caller renders the report itself (no report folder); else the
    folder is ``output``, or a new ``<reports_dir>/<domain>/<time>/`` that ``latest`` points at.
    """

    domain: str | None
    dns: DnsOptions
    profile: ProfileChoice
    command: tuple[str, ...] = ()
    replay: Path | None = None
    probe: ProbeOptions | None = None
    max_source_age_days: int = DEFAULT_MAX_AGE_DAYS
    audit_paths: tuple[Path, ...] = ()
    record: Path | None = None
    compare: Path | None = None
    folder: bool = True
    output: Path | None = None
    reports_dir: Path = Path("reports")


@dataclass(frozen=True)
class ReportResult:
    """The report, its evidence, the text of ``compare``'s changes, and the folder's HTML."""

    report: Report
    evidence: Snapshot
    changes: str = ""
    html: Path | None = None


async def run_report(request: ReportRequest, waits: WaitWatcher | None = None) -> ReportResult:
    """Build the report (a live run checks its resolver first) and write what was asked."""
    run, resolver = _open(request)
    profile = choose_profile(replace(request.profile, profile_id=run.profile_id))
    live = request.replay is None and request.dns.snapshot is None
    if live:
        run = replace(run, health=await resolver_health(request.dns))
    watched = WatchedResolver(resolver)
    build = build_report(
        run.domain,
        watched,
        profile,
        report_checks(request.probe, fetch_policies=live),
        run.command,
        max_source_age_days=request.max_source_age_days,
        audit_paths=request.audit_paths,
        health=run.health,
    )
    report = await (waits(build, watched) if waits is not None and live else build)
    evidence = with_request(resolver.evidence(), replace(run, profile_id=profile.id))
    return _write(request, report, evidence)


def _open(request: ReportRequest) -> tuple[RunRequest, EvidenceResolver]:
    """The run's request and resolver: from the evidence replayed, or from ``request``."""
    if request.replay is not None:
        return open_replay(request.replay)
    assert request.domain is not None  # the CLI refuses a live run without a domain
    run = RunRequest(request.domain, request.profile.profile_id, request.command)
    return run, open_resolver(request.dns)


def _write(request: ReportRequest, report: Report, evidence: Snapshot) -> ReportResult:
    """The evidence file, the comparison and the report folder, as far as asked for."""
    if request.record is not None:
        write_text(request.record, evidence.to_json())
    changes = ""
    if request.compare is not None:
        report, changes = compare(report, request.compare)
    if not request.folder:
        return ReportResult(report, evidence, changes)
    html = bundle.write_bundle(report, evidence.to_json(), _folder(request, report))
    return ReportResult(report, evidence, changes, html)


def _folder(request: ReportRequest, report: Report) -> Path:
    """``output``, else a new ``<reports_dir>/<domain>/<time>[-N]/`` that ``latest`` marks."""
    if request.output is not None:
        return Path(request.output)
    folder = folders.new_folder(bundle.default_directory(request.reports_dir, report))
    folders.point_latest(folder)
    return folder


def probe_options(recipient: str, port: int = 25, max_mx: int = 2) -> ProbeOptions:
    """Validated probe settings, or ``InputError`` naming what is wrong."""
    try:
        valid = validate_email(recipient, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InputError("probe_rcpt", f"{recipient!r}: {exc}") from exc
    if not 0 < port < 65536:
        raise InputError("probe_port", f"{port}: not a port number")
    if not 1 <= max_mx <= 20:
        raise InputError("probe_max_mx", f"{max_mx}: choose 1 to 20")
    return ProbeOptions(
        valid.normalized,
        port=port,
        max_mx=max_mx,
        helo_name=socket.gethostname() or "mailcheck.invalid",
    )


def report_checks(
    probe: ProbeOptions | None = None, fetch_policies: bool = True
) -> tuple[Check, ...]:
    """The checks ``mailcheck report`` runs: the defaults, plus the probe when asked for.

    Replaying a snapshot must not reach the network, so MTA-STS policies are then not fetched.
    """
    offline = TlsPostureCheck(FetchOptions(enabled=False))
    checks = tuple(
        offline if isinstance(c, TlsPostureCheck) and not fetch_policies else c
        for c in DEFAULT_CHECKS
    )
    return checks + ((ProbeCheck(probe),) if probe is not None else ())
