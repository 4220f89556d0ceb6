"""Zone-file tests for the sender checks: tests/data/zones plus a catch-all root zone.

The catch-all makes names outside our zones NXDOMAIN (as on the Internet, e.g. ``_dmarc.com``)
instead of REFUSED, so DMARC walks can reach the top label.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from tests.nameserver import LoopbackNameserver, ZoneSet, zones_from_records


@pytest.fixture
def world(zone_set: ZoneSet) -> Iterator[LoopbackNameserver]:
    """The loopback nameserver serving every zone file plus an empty root zone."""
    merged = ZoneSet(zone_set.zones + zones_from_records({}).zones, zone_set.silent)
    with LoopbackNameserver(merged) as server:
        yield server


def resolver_for(server: LoopbackNameserver, timeout: float = 0.5) -> LiveResolver:
    """A live resolver against ``server``; short timeout so drop faults are quick."""
    host, port = server.address
    config = ResolverConfig(nameservers=(Nameserver(host, port),), timeout=timeout, retries=0)
    return LiveResolver(config)
