"""Orchestration: one resolver per run, every check concurrently, one ``Report``."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email

from mailcheck import __version__
from mailcheck.audit import audit
from mailcheck.audit.replacement import replacement
from mailcheck.checks import DEFAULT_CHECKS, SENDER_CHECKS, Check, CheckContext, profile_sources
from mailcheck.checks.probe import ProbeCheck
from mailcheck.checks.tls_posture import TlsPostureCheck
from mailcheck.dns.health import HEALTHY, ResolverHealth, check_resolver
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import (
    EvidenceResolver,
    RecordingResolver,
    Snapshot,
    SnapshotResolver,
    evidence_rows,
)
from mailcheck.domains import check_domain, lab_result
from mailcheck.errors import ProfileError, SnapshotError, SnippetError
from mailcheck.https import FetchOptions
from mailcheck.model import CheckResult, Finding, ProfileRef, Report, Status
from mailcheck.profiles import SenderProfile
from mailcheck.smtp.probe import ProbeOptions
from mailcheck.snippets import SnippetOptions, render_snippets
from mailcheck.snippets.facts import facts_from_results
from mailcheck.snippets.interface import SnippetFacts
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


async def resolver_health(options: DnsOptions) -> ResolverHealth:
    """Live runs: is the resolver sane (see ``dns.health``)? A snapshot has no resolver to ask.

    Its own short-lived resolver, so the probes stay out of the run's evidence and a replay
    asks exactly what the run asked."""
    if options.snapshot is not None:
        return HEALTHY
    config = ResolverConfig(options.nameservers, options.timeout, options.retries)
    return await check_resolver(LiveResolver(config))


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
    shared: Mapping[str, CheckResult] | None = None,
    health: ResolverHealth = HEALTHY,
) -> Report:
    """Run every check against one resolver and assemble the report (with the profile's
    sources aged to the evidence date, and the snippets the findings call for).

    ``shared`` holds results a bulk run already has (the sender side, the same for every
    domain): those checks are not run again. A broken resolver (``health``) turns every
    finding into "could not check"."""
    context = CheckContext(domain, resolver, profile)
    done = shared or {}
    results = list(await asyncio.gather(*(_result(check, context, done) for check in checks)))
    if profile is not None and audit_paths:
        audited = await audit(audit_paths, profile, resolver)
        results.append(audited.to_check(replacement(audited, profile)))
    lab = lab_result(domain)
    if lab is not None:
        results.insert(0, lab)
    if health.broken:
        results = unchecked(results, health)
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


async def _result(
    check: Check, context: CheckContext, done: Mapping[str, CheckResult]
) -> CheckResult:
    return done[check.name] if check.name in done else await check.run(context)


def unchecked(results: Sequence[CheckResult], health: ResolverHealth) -> list[CheckResult]:
    """Every check's findings replaced by "could not check": the resolver answered NXDOMAIN or
    SERVFAIL for names that must exist, so none of its answers can be trusted."""
    detail = "It answered names that must exist as absent or failed; nothing it said is trusted."
    broken = Finding(
        "RUN002",
        Status.ERROR,
        "Could not check: the resolver looks broken",
        detail=detail,
        evidence=health.evidence,
    )
    return [dataclasses.replace(r, findings=(broken,)) for r in results]


def snippets_result(
    results: Sequence[CheckResult], profile: SenderProfile, review: date
) -> CheckResult:
    """Allowlist snippets for every filter, built from what the checks found: which IPs are
    shared infrastructure, and which filter receives the mail (its snippet comes first).
    The report never adds IP entries; ``mailcheck snippets --include-ip-allowlist`` does.

    Snippets depend only on the profile, the review date and those two facts, so a bulk run
    renders them once per provider, not once per domain (the cache is small and bounded)."""
    facts = facts_from_results(results, detected_provider(results))
    shared = tuple(sorted(facts.shared_ips.items())) if facts.shared_ips is not None else None
    key = (profile, review, shared, facts.provider)  # the profile itself: frozen, hashable
    cached = _SNIPPETS_CACHE.get(key)
    if cached is None:
        if len(_SNIPPETS_CACHE) >= _SNIPPETS_CACHE_SIZE:
            _SNIPPETS_CACHE.clear()
        cached = _SNIPPETS_CACHE[key] = _snippets_result(profile, review, facts)
    return cached


_SNIPPETS_CACHE: dict[tuple[object, ...], CheckResult] = {}
_SNIPPETS_CACHE_SIZE = 64


def _snippets_result(profile: SenderProfile, review: date, facts: SnippetFacts) -> CheckResult:
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
    data = {"provider": facts.provider, "snippets": [dataclasses.asdict(o) for o in outputs]}
    return CheckResult(SNIPPETS_CHECK, SNIPPETS_TITLE, (), data)


def detected_provider(results: Sequence[CheckResult]) -> str | None:
    """The filtering provider id the provider check detected, if it ran and decided."""
    found = next((r for r in results if r.check == "provider"), None)
    provider = found.facts.get("provider") if found is not None else None
    return provider if isinstance(provider, str) else None


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
    health: ResolverHealth = HEALTHY


def with_request(snapshot: Snapshot, request: RunRequest) -> Snapshot:
    """The run's evidence, stamped with the request that produced it."""
    metadata: dict[str, Any] = {
        "domain": request.domain,
        "profile": request.profile_id,
        "command": list(request.command),
        "tool_version": __version__,
    }
    if request.health.broken:  # only then: healthy evidence files stay as they were
        metadata["resolver_health"] = request.health.to_data()
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
        health = ResolverHealth.from_data(meta.get("resolver_health", HEALTHY.to_data()))
    except ValueError as exc:
        raise SnapshotError(f"{path}: {exc}") from exc
    request = RunRequest(domain, profile_id, tuple(command), health)
    return request, SnapshotResolver(snapshot)


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
