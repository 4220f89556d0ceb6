"""A resolver for the sender checks' zone-file tests (served by the ``world`` fixture)."""

from __future__ import annotations

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from tests.nameserver import LoopbackNameserver


def resolver_for(server: LoopbackNameserver, timeout: float = 0.5) -> LiveResolver:
    """A live resolver against ``server``; short timeout so drop faults are quick."""
    host, port = server.address
    config = ResolverConfig(nameservers=(Nameserver(host, port),), timeout=timeout, retries=0)
    return LiveResolver(config)
