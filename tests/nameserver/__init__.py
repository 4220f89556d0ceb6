"""Authoritative DNS server on loopback for tests and benchmarks.

``LoopbackNameserver`` serves zones over UDP and TCP on one 127.0.0.1 port from a thread with its
own event loop; ``python -m tests.nameserver --zones DIR`` runs it in a child process. Faults can
be injected at run time and every query is counted (pattern: rthalley/dnspython
tests/nanonameserver.py).
"""

from __future__ import annotations

from tests.nameserver.answer import MAX_CNAME_HOPS, MAX_UDP_SIZE
from tests.nameserver.faults import Fault, FaultPlan, QueryCounters, Transport
from tests.nameserver.process import REPO_ROOT, NameserverProcess
from tests.nameserver.server import (
    HOST,
    MAX_CACHED_REPLIES,
    MAX_PENDING_UDP,
    MAX_TCP_CONNECTIONS,
    STOP_TIMEOUT,
    TCP_IDLE_TIMEOUT,
    UDP_BUFFER_SIZE,
    LoopbackNameserver,
    bind_port_pair,
)
from tests.nameserver.zones import (
    SYNTHETIC_TTL,
    ZONES_DIR,
    ZoneSet,
    load_zones,
    name_key,
    quote_txt,
    with_root,
    zones_from_records,
)

__all__ = [
    "HOST",
    "MAX_CACHED_REPLIES",
    "MAX_CNAME_HOPS",
    "MAX_PENDING_UDP",
    "MAX_TCP_CONNECTIONS",
    "MAX_UDP_SIZE",
    "REPO_ROOT",
    "STOP_TIMEOUT",
    "SYNTHETIC_TTL",
    "TCP_IDLE_TIMEOUT",
    "UDP_BUFFER_SIZE",
    "ZONES_DIR",
    "Fault",
    "FaultPlan",
    "LoopbackNameserver",
    "NameserverProcess",
    "QueryCounters",
    "Transport",
    "ZoneSet",
    "bind_port_pair",
    "load_zones",
    "name_key",
    "quote_txt",
    "with_root",
    "zones_from_records",
]
