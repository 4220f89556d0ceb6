"""Orchestration: one resolver per run, every check concurrently, one ``Report``."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from mailcheck import __version__
from mailcheck.audit import audit
from mailcheck.audit.replacement import replacement
from mailcheck.checks import DEFAULT_CHECKS, SENDER_CHECKS, Check, CheckContext, profile_sources
from mailcheck.checks.probe import ProbeCheck
from mailcheck.checks.tls import TlsPostureCheck
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import (
    EvidenceResolver,
    RecordingResolver,
    Snapshot,
    SnapshotResolver,
    evidence_rows,
)
from mailcheck.errors import ProfileError, SnapshotError, SnippetError
from mailcheck.facts.provider import ProviderFacts
from mailcheck.https import FetchOptions
from mailcheck.model import CheckResult, Finding, ProfileRef, Report, Status, facts_of
from mailcheck.profiles import SenderProfile, normalize_domain
from mailcheck.smtp.probe import ProbeOptions
from mailcheck.snippets import SnippetOptions, render_snippets
from mailcheck.snippets.facts import facts_from_results
from mailcheck.snippets.interface import SnippetsFacts
from mailcheck.sources import DEFAULT_MAX_AGE_DAYS

SNIPPETS_CHECK = "snippets"  # the report's snippets section reads this result
SNIPPETS_TITLE = "Allowlist snippets"


@dataclass(frozen=True)
class DnsOptions:
    """Where answers come from: a snapshot to replay, or live servers (optionally recorded)."""

    snapshot: Path | None = None
    nameservers: tuple[Nameserver, ...] = ()
    timeout: float = 5.0
    retries: int = 2
    concurrency: int = ResolverConfig.concurrency


def open_resolver(options: DnsOptions) -> EvidenceResolver:
    """The run's one resolver: a snapshot replay, or live DNS recorded as evidence."""
    if options.snapshot is not None:
        return SnapshotResolver(Snapshot.load(options.snapshot))
    config = ResolverConfig(
        options.nameservers, options.timeout, options.retries, options.concurrency
    )
    live = LiveResolver(config)
    servers = tuple(str(ns) for ns in options.nameservers) or ("system resolver",)
    return RecordingResolver(live, servers)


def check_domain(domain: str) -> str:
    """The normalised company domain, or ``ValueError`` naming what is wrong with it."""
    normal = normalize_domain(domain)
    if normal is None:
        raise ValueError(f"{domain!r} is not a valid mail domain")
    return normal


def probe_options(recipient: str, port: int = 25, max_mx: int = 2) -> ProbeOptions:
    """Validated probe settings, or ``ValueError`` naming what is wrong."""
    try:
        valid = validate_email(recipient, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"--probe-rcpt {recipient!r}: {exc}") from exc
    if not 0 < port < 65536:
        raise ValueError(f"--probe-port {port}: not a port number")
    if not 1 <= max_mx <= 20:
        raise ValueError(f"--probe-max-mx {max_mx}: choose 1 to 20")
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


async def build_report(
    domain: str,
    resolver: EvidenceResolver,
    profile: SenderProfile | None = None,
    checks: Sequence[Check] = DEFAULT_CHECKS,
    command: tuple[str, ...] = (),
    *,
    with_snippets: bool = True,
    max_source_age_days: int = DEFAULT_MAX_AGE_DAYS,
    audit_paths: tuple[Path, ...] = (),
) -> Report:
    """Run every check against one resolver and assemble the report (with the profile's
    sources aged to the evidence date, and the snippets the findings call for)."""
    context = CheckContext(domain, resolver, profile)
    results = await asyncio.gather(*(check.run(context) for check in checks))
    if profile is not None and audit_paths:
        audited = await audit(audit_paths, profile, resolver)
        results.append(audited.to_check(replacement(audited, profile)))
    evidence = resolver.evidence()
    if profile is not None:
        as_of = _evidence_day(evidence.recorded_at)
        results.append(profile_sources.evaluate(profile, as_of, max_source_age_days))
    if profile is not None and with_snippets:
        results.append(snippets_result(results, profile, _review_date(evidence.recorded_at)))
    ref = ProfileRef(profile.id, profile.name, profile.source, profile.sha256) if profile else None
    return Report(
        tool_version=__version__,
        generated_at=evidence.recorded_at,
        domain=domain,
        profile=ref,
        checks=tuple(results),
        command=command,
        dns_queries=len(evidence.entries),
        evidence=evidence_rows(evidence),
    )


def snippets_result(
    results: Sequence[CheckResult], profile: SenderProfile, review: date
) -> CheckResult:
    """Allowlist snippets for every filter, built from what the checks found: which IPs are
    shared infrastructure, and which filter receives the mail (its snippet comes first).
    The report never adds IP entries; ``mailcheck snippets --include-ip-allowlist`` does."""
    facts = facts_from_results(results, detected_provider(results))
    try:
        outputs = render_snippets(profile, SnippetOptions(review_date=review), facts=facts)
    except SnippetError as exc:
        refused = Finding(
            "SNP001",
            Status.WARN,
            "No allowlist snippet can be built for this profile",
            detail=str(exc),
            subject=profile.id,
        )
        return CheckResult(SNIPPETS_CHECK, SNIPPETS_TITLE, (refused,))
    return CheckResult(
        SNIPPETS_CHECK, SNIPPETS_TITLE, (), SnippetsFacts(facts.provider, tuple(outputs))
    )


def detected_provider(results: Sequence[CheckResult]) -> str | None:
    """The filtering provider id the provider check detected, if it ran and decided."""
    found = facts_of(results, ProviderFacts)
    return found.provider if found is not None else None


def _evidence_day(recorded_at: str) -> date:
    """The day the evidence was recorded: what replayable dates are counted from."""
    return datetime.fromisoformat(recorded_at.replace("Z", "+00:00")).date()


def _review_date(recorded_at: str) -> date:
    """Snippets carry a review date: 90 days after the evidence, so replays stay identical."""
    return _evidence_day(recorded_at) + timedelta(days=90)


@dataclass(frozen=True)
class RunRequest:
    """What a report run was asked to do; the evidence records it so a replay needs no more."""

    domain: str
    profile_id: str | None
    command: tuple[str, ...]


def with_request(snapshot: Snapshot, request: RunRequest) -> Snapshot:
    """The run's evidence, stamped with the request that produced it."""
    metadata = {
        "domain": request.domain,
        "profile": request.profile_id,
        "command": list(request.command),
        "tool_version": __version__,
    }
    return Snapshot(snapshot.recorded_at, snapshot.nameservers, dict(snapshot.entries), metadata)


def open_replay(path: Path) -> tuple[RunRequest, SnapshotResolver]:
    """The request recorded in an evidence file, and a resolver replaying its answers."""
    snapshot = Snapshot.load(path)
    meta = snapshot.metadata
    domain, profile_id, command = meta.get("domain"), meta.get("profile"), meta.get("command")
    if not isinstance(domain, str):
        raise SnapshotError(f"{path}: no domain recorded; use DOMAIN --snapshot {path} instead")
    if not (profile_id is None or isinstance(profile_id, str)):
        raise SnapshotError(f"{path}: metadata.profile must be a string")
    if not (isinstance(command, list) and all(isinstance(c, str) for c in command)):
        raise SnapshotError(f"{path}: metadata.command must be a list of strings")
    try:
        # The file is untrusted: the domain becomes a folder name, so it must be a real domain.
        domain = check_domain(domain)
    except ValueError as exc:
        raise SnapshotError(f"{path}: {exc}") from exc
    return RunRequest(domain, profile_id, tuple(command)), SnapshotResolver(snapshot)


async def build_sender_report(
    resolver: EvidenceResolver,
    profile: SenderProfile,
    command: tuple[str, ...] = (),
    max_source_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Report:
    """The sender side alone (``mailcheck sender``): SPF matrix, shared infrastructure,
    DMARC, reverse DNS and blocklists; no snippets.

    The report's domain is the domain of the profile's first sender, the subject of the run.
    """
    domains = (*profile.sender_domains, *profile.envelope_domains, *profile.dkim_domains)
    if not domains:
        raise ProfileError(f"profile {profile.id} names no sender domain to check")
    domain = domains[0] if not profile.senders else profile.senders[0].domain
    return await build_report(
        domain,
        resolver,
        profile,
        SENDER_CHECKS,
        command,
        with_snippets=False,
        max_source_age_days=max_source_age_days,
    )
