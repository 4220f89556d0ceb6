"""Orchestration: one resolver per run, every check concurrently, one ``Report``."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from mailcheck import __version__
from mailcheck.app.domains import lab_result
from mailcheck.audit import audit
from mailcheck.audit.replacement import replacement
from mailcheck.base.errors import SnippetError
from mailcheck.base.model import CheckResult, Finding, ProfileRef, Report, Status, facts_of
from mailcheck.checks import DEFAULT_CHECKS, Check, CheckContext, profile_sources
from mailcheck.dns.health import HEALTHY, ResolverHealth
from mailcheck.dns.snapshot import (
    EvidenceResolver,
    evidence_rows,
)
from mailcheck.facts.provider import ProviderFacts
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.rulefiles.sources import DEFAULT_MAX_AGE_DAYS
from mailcheck.snippets import SnippetOptions, render_snippets
from mailcheck.snippets.facts import facts_from_results
from mailcheck.snippets.interface import SnippetFacts, SnippetsFacts

SNIPPETS_CHECK = "snippets"  # the report's snippets section reads this result
SNIPPETS_TITLE = "Allowlist snippets"


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
        results.append(_profile_sources(profile, as_of, max_source_age_days))
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
    return _cached(_SNIPPETS_CACHE, key, lambda: _snippets_result(profile, review, facts))


def _profile_sources(profile: SenderProfile, as_of: date, max_age_days: int) -> CheckResult:
    # The same for every domain of a bulk run: one object, so its rendered section is reused.
    key = (profile, as_of, max_age_days)
    return _cached(
        _SOURCES_CACHE, key, lambda: profile_sources.evaluate(profile, as_of, max_age_days)
    )


def _cached(
    cache: dict[tuple[object, ...], CheckResult],
    key: tuple[object, ...],
    make: Callable[[], CheckResult],
) -> CheckResult:
    """``make()``'s result, remembered under ``key`` (a small cache, emptied when full)."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        found = cache[key] = make()
    return found


_SNIPPETS_CACHE: dict[tuple[object, ...], CheckResult] = {}
_SOURCES_CACHE: dict[tuple[object, ...], CheckResult] = {}
_CACHE_SIZE = 64


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
