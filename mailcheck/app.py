"""Orchestration: one resolver per run, every check concurrently, one ``Report``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mailcheck import __version__
from mailcheck.checks import DEFAULT_CHECKS, SENDER_CHECKS, Check, CheckContext
from mailcheck.dns.interface import Answer, RRType
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import RecordingResolver, Snapshot, SnapshotResolver
from mailcheck.model import ProfileRef, Report
from mailcheck.profiles import SenderProfile, normalize_domain


class EvidenceResolver(Protocol):
    """A resolver that can say afterwards what it answered: the report's evidence."""

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        ...

    def evidence(self) -> Snapshot:
        """Every lookup of the run, with its outcome and time."""
        ...


@dataclass(frozen=True)
class DnsOptions:
    """Where answers come from: a snapshot to replay, or live servers (optionally recorded)."""

    snapshot: Path | None = None
    nameservers: tuple[Nameserver, ...] = ()
    timeout: float = 5.0
    retries: int = 2
    concurrency: int = ResolverConfig.concurrency


def open_resolver(options: DnsOptions) -> tuple[EvidenceResolver, LiveResolver | None]:
    """The run's one resolver, and the live one under it (for its counters) if any."""
    if options.snapshot is not None:
        return SnapshotResolver(Snapshot.load(options.snapshot)), None
    config = ResolverConfig(
        options.nameservers, options.timeout, options.retries, options.concurrency
    )
    live = LiveResolver(config)
    servers = tuple(str(ns) for ns in options.nameservers) or ("system resolver",)
    return RecordingResolver(live, servers), live


def check_domain(domain: str) -> str:
    """The normalised company domain, or ``ValueError`` naming what is wrong with it."""
    normal = normalize_domain(domain)
    if normal is None:
        raise ValueError(f"{domain!r} is not a valid mail domain")
    return normal


async def build_report(
    domain: str,
    resolver: EvidenceResolver,
    profile: SenderProfile | None = None,
    checks: Sequence[Check] = DEFAULT_CHECKS,
    command: tuple[str, ...] = (),
) -> Report:
    """Run every check against one resolver and assemble the report."""
    context = CheckContext(domain, resolver, profile)
    results = await asyncio.gather(*(check.run(context) for check in checks))
    evidence = resolver.evidence()
    ref = ProfileRef(profile.id, profile.name, profile.source, profile.sha256) if profile else None
    return Report(
        tool_version=__version__,
        generated_at=evidence.recorded_at,
        domain=domain,
        profile=ref,
        checks=tuple(results),
        command=command,
        dns_queries=len(evidence.entries),
    )


async def build_sender_report(
    resolver: EvidenceResolver, profile: SenderProfile, command: tuple[str, ...] = ()
) -> Report:
    """The sender side alone (``mailcheck sender``): SPF matrix and shared infrastructure.

    The report's domain is the domain of the profile's first sender, the subject of the run.
    """
    domain = profile.senders[0].domain
    return await build_report(domain, resolver, profile, SENDER_CHECKS, command)
