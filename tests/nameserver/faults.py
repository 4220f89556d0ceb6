"""Run-time fault injection and query counting for the loopback nameserver."""

from __future__ import annotations

import collections
import enum
import threading

import dns.name
import dns.rdatatype
import dns.rrset

from tests.nameserver.zones import name_key


class Transport(enum.StrEnum):
    """How a query arrived."""

    UDP = "udp"
    TCP = "tcp"


class Fault(enum.Enum):
    """What to do instead of answering a name normally."""

    DROP = "drop"  # never answer: the client times out
    SERVFAIL = "servfail"
    REFUSED = "refused"
    TRUNCATE = "force_truncate"  # TC=1 with no records over UDP, even when the answer fits


class FaultPlan:
    """Faults to inject, by name (case-insensitive, trailing dot optional); thread-safe."""

    def __init__(self, delay: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._delay = delay
        self._by_name: dict[str, Fault] = {}

    @property
    def delay(self) -> float:
        """Seconds to wait before every reply; other queries are served meanwhile."""
        with self._lock:
            return self._delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        with self._lock:
            self._delay = seconds

    def set(self, name: str | dns.name.Name, fault: Fault | None) -> None:
        """Inject ``fault`` for queries about ``name``; None removes it."""
        key = name_key(name)
        with self._lock:
            if fault is None:
                self._by_name.pop(key, None)
            else:
                self._by_name[key] = fault

    def has_name_faults(self) -> bool:
        """True while any per-name fault is set (cached replies are then bypassed)."""
        with self._lock:
            return bool(self._by_name)

    def get(self, name: str | dns.name.Name) -> Fault | None:
        """The fault injected for ``name``, if any."""
        key = name_key(name)
        with self._lock:
            return self._by_name.get(key)

    def clear(self) -> None:
        """Remove every fault and the delay."""
        with self._lock:
            self._by_name.clear()
            self._delay = 0.0


class QueryCounters:
    """Queries received: in total, per transport and per (name key, type text); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_transport: collections.Counter[Transport] = collections.Counter()
        self._by_query: collections.Counter[tuple[str, str]] = collections.Counter()

    def record(self, transport: Transport, question: dns.rrset.RRset | None) -> None:
        """Count one parsed query."""
        key = None
        if question is not None:
            key = (name_key(question.name), dns.rdatatype.to_text(question.rdtype))
        with self._lock:
            self._by_transport[transport] += 1
            if key is not None:
                self._by_query[key] += 1

    @property
    def total(self) -> int:
        """All parsed queries."""
        with self._lock:
            return sum(self._by_transport.values())

    @property
    def udp(self) -> int:
        """Parsed queries that came over UDP."""
        with self._lock:
            return self._by_transport[Transport.UDP]

    @property
    def tcp(self) -> int:
        """Parsed queries that came over TCP."""
        with self._lock:
            return self._by_transport[Transport.TCP]

    def count(self, name: str | dns.name.Name, rdtype: str) -> int:
        """Queries for ``name`` (any case, trailing dot optional) and ``rdtype`` (e.g. "TXT")."""
        key = (name_key(name), rdtype.upper())
        with self._lock:
            return self._by_query[key]

    def by_query(self) -> dict[tuple[str, str], int]:
        """A copy of the per (name key, type) counts."""
        with self._lock:
            return dict(self._by_query)

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._by_transport.clear()
            self._by_query.clear()
