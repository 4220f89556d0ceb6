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
from mailcheck.dns.snapshot import Recorded, RecordingResolver, Snapshot, SnapshotResolver
from mailcheck.errors import SnapshotError
from mailcheck.model import DnsEvidence, ProfileRef, Report
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
        evidence=evidence_rows(evidence),
    )


def evidence_rows(snapshot: Snapshot) -> tuple[DnsEvidence, ...]:
    """The snapshot's lookups as report rows, sorted by name and type like the JSON file."""
    return tuple(
        _evidence_row(name, rrtype.value, e)
        for (name, rrtype), e in sorted(snapshot.entries.items())
    )


def _evidence_row(name: str, rrtype: str, entry: Recorded) -> DnsEvidence:
    if entry.error is not None:
        return DnsEvidence(name, rrtype, "error", time=entry.time, error=str(entry.error))
    answer = entry.answer
    assert answer is not None
    return DnsEvidence(
        name,
        rrtype,
        answer.outcome.value,
        answer.records,
        answer.ttl,
        answer.server,
        entry.time,
        answer.cnames,
    )


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
    resolver: EvidenceResolver, profile: SenderProfile, command: tuple[str, ...] = ()
) -> Report:
    """The sender side alone (``mailcheck sender``): SPF matrix and shared infrastructure.

    The report's domain is the domain of the profile's first sender, the subject of the run.
    """
    domain = profile.senders[0].domain
    return await build_report(domain, resolver, profile, SENDER_CHECKS, command)
