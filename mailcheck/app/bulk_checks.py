"""Many company domains in one run: one resolver and cache, the sender side checked once.

The profile's sender-side checks (SPF matrix, shared infrastructure, DMARC, PTR, DNSBL) do not
depend on the company domain, so they run once and their results are shared. Each domain's
receiving-side checks then run with at most ``concurrency`` domains in flight, all through the
run's one resolver: it caches every outcome and shares questions in flight, so no question is
asked twice. Each domain still gets its own complete evidence (the sender side's lookups plus
its own), so ``report --replay`` of any one domain rebuilds its report byte for byte.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

from mailcheck.app.build import build_report
from mailcheck.app.evidence import RunRequest, with_request
from mailcheck.base.model import CheckResult, Report
from mailcheck.checks import SENDER_CHECKS, Check, CheckContext
from mailcheck.dns.health import HEALTHY, ResolverHealth
from mailcheck.dns.interface import RRType
from mailcheck.dns.scoped import ScopedRecorder
from mailcheck.dns.snapshot import EvidenceResolver, Snapshot, utc_now
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.rulefiles.sources import DEFAULT_MAX_AGE_DAYS

DEFAULT_CONCURRENCY = 50  # domains in flight; the resolver bounds the lookups themselves
SENDER_NAMES = frozenset(check.name for check in SENDER_CHECKS)


@dataclass(frozen=True)
class BulkRequest:
    """What a bulk run checks, and how."""

    domains: tuple[str, ...]
    profile: SenderProfile
    checks: tuple[Check, ...]
    command: tuple[str, ...]
    concurrency: int = DEFAULT_CONCURRENCY
    health: ResolverHealth = HEALTHY
    live: bool = True  # live lookups get the clock's time; a replayed snapshot keeps its own
    max_source_age_days: int = DEFAULT_MAX_AGE_DAYS


@dataclass(frozen=True)
class DomainOutcome:
    """One domain's finished report and the evidence that rebuilds it."""

    report: Report
    evidence: Snapshot


@dataclass
class BulkProgress:
    """Running counts for a progress line: mutated by the run, read by the CLI."""

    total: int
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    timeouts: set[tuple[str, RRType]] = field(default_factory=set)


async def run_bulk(
    request: BulkRequest,
    shared: EvidenceResolver,
    on_done: Callable[[DomainOutcome], Awaitable[None]],
    progress: BulkProgress | None = None,
) -> None:
    """Check every domain; hand each finished one to ``on_done`` (in completion order).

    A worker awaits ``on_done`` before it takes the next domain, so at most ``concurrency``
    finished reports wait to be written."""
    progress = progress or BulkProgress(len(request.domains))
    base = shared.evidence()
    empty = Snapshot(base.recorded_at, base.nameservers)
    sender = ScopedRecorder(shared, empty, base.recorded_at, progress.timeouts.add)
    results = await _sender_side(request, sender)
    queue = iter(request.domains)
    workers = min(max(request.concurrency, 1), max(len(request.domains), 1))
    await asyncio.gather(
        *(
            _worker(queue, request, shared, sender.snapshot, results, on_done, progress)
            for _ in range(workers)
        )
    )


async def _sender_side(request: BulkRequest, sender: ScopedRecorder) -> dict[str, CheckResult]:
    """The sender-side checks, once (their results do not depend on the company domain)."""
    first = request.domains[0] if request.domains else request.profile.senders[0].domain
    context = CheckContext(first, sender, request.profile)
    wanted = [c for c in request.checks if c.name in SENDER_NAMES]
    results = await asyncio.gather(*(c.run(context) for c in wanted))
    return {r.check: r for r in results}


async def _worker(
    queue: Iterator[str],
    request: BulkRequest,
    shared: EvidenceResolver,
    base: Snapshot,
    results: dict[str, CheckResult],
    on_done: Callable[[DomainOutcome], Awaitable[None]],
    progress: BulkProgress,
) -> None:
    """Take the next domain until none is left: ``concurrency`` workers, not N coroutines."""
    for domain in queue:
        when = utc_now() if request.live else base.recorded_at
        recorder = ScopedRecorder(shared, base, when, progress.timeouts.add)
        report = await build_report(
            domain,
            recorder,
            request.profile,
            request.checks,
            request.command,
            max_source_age_days=request.max_source_age_days,
            shared=results,
            health=request.health,
        )
        run = RunRequest(domain, request.profile.id, request.command, request.health)
        await on_done(DomainOutcome(report, with_request(recorder.evidence(), run)))
        progress.done += 1
