"""The ``analyze`` use case: read the inputs one at a time, build the org context
once, analyse each message against the one resolver of the run, and keep running counts.

``stream_messages`` hands each report on as soon as it is done and keeps only a ``Tally``, so
a 50,000-message export needs the memory of one message (plus the resolver's cache).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import BinaryIO

from mailcheck.base.errors import InputError
from mailcheck.base.model import Report
from mailcheck.dns.scoped import ScopedRecorder
from mailcheck.dns.snapshot import EvidenceResolver, Snapshot, evidence_rows
from mailcheck.message import analyze_to_report, org_context
from mailcheck.message.inputs import InputStats, read_inputs
from mailcheck.message.org import Network, org_domain_name
from mailcheck.message.tally import Tally
from mailcheck.rulefiles.profiles import SenderProfile


def parse_networks(texts: list[str]) -> tuple[Network, ...]:
    """``--org-network`` values; a bad one is an ``InputError``."""
    try:
        return tuple(ipaddress.ip_network(t, strict=False) for t in texts)
    except ValueError as exc:
        raise InputError("org_network", str(exc)) from exc


@dataclass(frozen=True)
class AnalyzeRequest:
    """What an analysis run was asked: where the messages are, and about whom."""

    source: str
    stdin: BinaryIO | None = None
    org_domain: str | None = None
    networks: tuple[Network, ...] = ()
    authserv_ids: tuple[str, ...] = ()
    profile: SenderProfile | None = None
    generated_at: str = ""
    command: tuple[str, ...] = ()


async def stream_messages(
    request: AnalyzeRequest,
    resolver: EvidenceResolver,
    on_report: Callable[[Report], None],
    stats: InputStats | None = None,
) -> Tally:
    """Analyse every message at ``request.source``; each report (with the lookups that message
    needed as its evidence) goes to ``on_report`` as soon as it is done."""
    stats = stats if stats is not None else InputStats()
    domain = _org_domain(request.org_domain)
    ids = tuple(a.lower() for a in request.authserv_ids)
    org, problems = await org_context(resolver, domain, request.networks, ids)
    known = resolver.evidence()  # the org's lookups: part of every message's evidence
    base = Snapshot(known.recorded_at, known.nameservers, dict(known.entries))
    tally = Tally()
    for item in read_inputs(request.source, request.stdin, stats):
        scoped = ScopedRecorder(resolver, base, base.recorded_at)
        report = await analyze_to_report(
            item, scoped, org, request.profile, request.generated_at, request.command, problems
        )
        evidence = scoped.evidence()
        report = replace(
            report, dns_queries=len(evidence.entries), evidence=evidence_rows(evidence)
        )
        tally.add(report)
        on_report(report)
    if not tally.messages:
        skipped = f" ({len(stats.skipped)} files that are not messages)" if stats.skipped else ""
        raise InputError("source", f"{request.source}: no messages found{skipped}")
    return tally


async def analyze_messages(
    request: AnalyzeRequest, resolver: EvidenceResolver, stats: InputStats | None = None
) -> tuple[Report, ...]:
    """Every report at once, each carrying the whole run's evidence (one JSON document, or
    one message's page); for many messages ``stream_messages`` is the one to use."""
    reports: list[Report] = []
    await stream_messages(request, resolver, reports.append, stats)
    evidence = resolver.evidence()
    rows = evidence_rows(evidence)
    return tuple(replace(r, dns_queries=len(evidence.entries), evidence=rows) for r in reports)


def _org_domain(org_domain: str | None) -> str | None:
    if org_domain is None:
        return None
    domain = org_domain_name(org_domain)  # RFC 6761 lab names (receiver.test) included
    if domain is None:
        raise InputError("org_domain", f"{org_domain!r} is not a valid mail domain")
    return domain
