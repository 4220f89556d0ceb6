"""The one resolver factory: a snapshot replay, or live DNS recorded as evidence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailcheck.dns.health import HEALTHY, ResolverHealth, check_resolver
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import EvidenceResolver, RecordingResolver, Snapshot, SnapshotResolver


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
