"""The ``analyze`` use case: open the run's one resolver, pick the profile, read the inputs one
at a time, build the org context once, analyse each message, keep running counts.

``stream_messages`` hands each report on as soon as it (and every one before it) is done and
keeps only a ``Tally``, so a 50,000-message export needs the memory of a few messages (plus
the resolver's cache). With ``jobs`` > 1 the messages are parsed and judged in worker
processes (``analyze_pool``); their DNS still goes through this process's one resolver, and
the reports are the same, in the same order, as with one job.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from mailcheck.app.analyze_message import MessageJob, MessageResult, analyze_one, result_of
from mailcheck.app.analyze_pool import WorkerPool, analyse_in_order
from mailcheck.app.output import write_text
from mailcheck.app.profiles import ProfileChoice
from mailcheck.app.resolver import DnsOptions, open_resolver
from mailcheck.base.errors import InputError
from mailcheck.base.model import CheckResult, Report, Status
from mailcheck.base.processes import MESSAGE_CPU_SECONDS
from mailcheck.checks import profile_networks
from mailcheck.dns.snapshot import EvidenceResolver, Snapshot, evidence_rows
from mailcheck.message import org_context
from mailcheck.message.inputs import InputStats, MessageInput, read_inputs
from mailcheck.message.org import Network, org_domain_name
from mailcheck.message.tally import Tally
from mailcheck.report import ReportFormat
from mailcheck.rulefiles.profiles import SenderProfile, get_profile

SMALL_RUN = 16


def default_jobs() -> int:
    """One worker per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class AnalyzeRequest:
    """What an analysis run was asked: where the messages are, about whom, and how.

    ``networks`` are CIDR texts (a bad one is an ``InputError``, field ``org_network``);
    ``profile`` None compares with no profile; ``jobs`` 1 analyses in this process, None
    one worker per core once there are ``SMALL_RUN`` messages; ``window`` caps the messages
    read and not yet handed on (0: two per job); ``output`` renders each report where it
    was analysed (``MessageResult.text``)."""

    source: str
    dns: DnsOptions = field(default_factory=DnsOptions)
    stdin: BinaryIO | None = None
    org_domain: str | None = None
    networks: tuple[str, ...] = ()
    authserv_ids: tuple[str, ...] = ()
    profile: ProfileChoice | None = None
    command: tuple[str, ...] = ()
    jobs: int | None = 1
    record: Path | None = None
    cpu_seconds: int = MESSAGE_CPU_SECONDS
    window: int = 0
    output: ReportFormat | None = None
    color: bool = False
    keep_reports: bool = False


@dataclass(frozen=True)
class AnalyzeResult:
    """The running counts, the files skipped as not messages, the worst status, the run's
    evidence, and (``analyze_messages`` only) every report."""

    tally: Tally
    skipped: int
    worst: Status
    evidence: Snapshot
    reports: tuple[Report, ...] = ()


async def stream_messages(
    request: AnalyzeRequest, on_result: Callable[[MessageResult], None]
) -> AnalyzeResult:
    """Analyse every message at ``request.source``; each one's result (its report carrying
    the lookups that message needed as its evidence) goes to ``on_result`` in input order as
    soon as it is done."""
    resolver = open_resolver(request.dns)
    job = await message_job(request, resolver)
    stats, tally, worst = InputStats(), Tally(), [Status.PASS]

    def done(result: MessageResult) -> None:
        tally.merge(result.tally)
        worst[0] = max(worst[0], result.worst, key=lambda s: s.severity)
        on_result(result)

    items = read_inputs(request.source, request.stdin, stats)
    await _analyse_all(items, request, job, resolver, done)
    if not tally.messages:
        skipped = f" ({len(stats.skipped)} files that are not messages)" if stats.skipped else ""
        raise InputError("source", f"{request.source}: no messages found{skipped}")
    evidence = resolver.evidence()
    if request.record is not None:
        write_text(request.record, evidence.to_json())
    return AnalyzeResult(tally, len(stats.skipped), worst[0], evidence)


async def analyze_messages(request: AnalyzeRequest) -> AnalyzeResult:
    """Every report at once, each carrying the whole run's evidence (one JSON document, or
    one message's page); for many messages ``stream_messages`` is the one to use."""
    reports: list[Report] = []

    def keep(result: MessageResult) -> None:
        assert result.report is not None
        reports.append(result.report)

    result = await stream_messages(replace(request, keep_reports=True), keep)
    rows = evidence_rows(result.evidence)
    count = len(result.evidence.entries)
    whole = tuple(replace(r, dns_queries=count, evidence=rows) for r in reports)
    return replace(result, reports=whole)


async def _analyse_all(
    items: Iterable[MessageInput],
    request: AnalyzeRequest,
    job: MessageJob,
    resolver: EvidenceResolver,
    done: Callable[[MessageResult], None],
) -> None:
    """In this process for one job or one message; else in a pool of ``request.jobs``."""
    source = iter(items)
    # Starting workers costs about half a second: worth it for a batch, not for a few.
    least = 2 if request.jobs is not None else SMALL_RUN
    head = tuple(item for _, item in zip(range(least), source, strict=False))
    jobs = request.jobs or default_jobs()
    if jobs <= 1 or len(head) < least:
        for item in chain(head, source):
            done(result_of(await analyze_one(item, resolver, job), job))
        return
    pool = WorkerPool(job, resolver, jobs, request.cpu_seconds)
    try:
        pool.start()
        await analyse_in_order(chain(head, source), pool, done, request.window or 2 * jobs)
    finally:
        pool.close()


async def message_job(request: AnalyzeRequest, resolver: EvidenceResolver) -> MessageJob:
    """What every message is analysed against: the org (one round of lookups) and profile."""
    profile = _profile(request.profile)
    domain = _org_domain(request.org_domain)
    ids = tuple(a.lower() for a in request.authserv_ids)
    org, problems = await org_context(resolver, domain, _networks(request.networks), ids)
    known = resolver.evidence()
    base = Snapshot(known.recorded_at, known.nameservers, dict(known.entries))
    return MessageJob(
        org,
        problems,
        base,
        profile,
        known.recorded_at,
        request.command,
        _unsafe(profile),
        request.output,
        request.color,
        request.keep_reports,
    )


def _profile(choice: ProfileChoice | None) -> SenderProfile | None:
    if choice is None or choice.profile_id is None:
        return None
    unsafe = choice.allow_unsafe_networks
    return get_profile(choice.profile_id, choice.rules_dirs, allow_unsafe_networks=unsafe)


def _unsafe(profile: SenderProfile | None) -> tuple[CheckResult, ...]:
    """The profile's networks loaded only because unsafe ones were allowed (NET002), shown
    with every message as ``report`` shows them; documentation ranges (NET001) are the
    normal lab case for analysis and stay out."""
    if profile is None:
        return ()
    findings = tuple(f for f in profile_networks.evaluate(profile) if f.code == "NET002")
    check = profile_networks.ProfileNetworksCheck
    return (CheckResult(check.name, check.title, findings),) if findings else ()


def _networks(texts: tuple[str, ...]) -> tuple[Network, ...]:
    """``networks`` parsed; a bad one is an ``InputError``."""
    try:
        return tuple(ipaddress.ip_network(t, strict=False) for t in texts)
    except ValueError as exc:
        raise InputError("org_network", str(exc)) from exc


def _org_domain(org_domain: str | None) -> str | None:
    if org_domain is None:
        return None
    domain = org_domain_name(org_domain)  # RFC 6761 lab names (receiver.test) included
    if domain is None:
        raise InputError("org_domain", f"{org_domain!r} is not a valid mail domain")
    return domain
