"""A ``Resolver`` backed by a dict: our own protocol implemented in memory, for unit tests.

Keys are ``(name, RRType)``; a value is a sequence of record texts, or a ``DnsError`` instance to
raise. Names in ``failing`` raise for every type (``"timeout"`` or an rcode such as
``"servfail"``), so "could not decide" paths are exercised. A name with records, or below which
records exist, answers NODATA for other types (and for an empty value); any other is NXDOMAIN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mailcheck.base.errors import DnsError, DnsServerError, DnsTimeoutError
from mailcheck.dns.interface import Answer, Outcome, RRType, normalize_name


class DictResolver:
    """See ``Resolver``; ``queries`` records every (name, type) asked, in order."""

    def __init__(
        self,
        data: Mapping[tuple[str, RRType], Sequence[str] | DnsError],
        failing: Mapping[str, str] | None = None,
    ) -> None:
        self.data = {
            (normalize_name(n), t): v if isinstance(v, DnsError) else tuple(v)
            for (n, t), v in data.items()
        }
        self.names = {n for n, _ in self.data}
        self.failing = {normalize_name(k): v for k, v in (failing or {}).items()}
        self.queries: list[tuple[str, RRType]] = []

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        key = normalize_name(name)
        self.queries.append((key, rrtype))
        if key in self.failing:
            raise _error(key, rrtype, self.failing[key])
        value = self.data.get((key, rrtype))
        if isinstance(value, DnsError):
            raise value
        if value:
            return Answer(key, rrtype, Outcome.ANSWER, tuple(sorted(value)), 300)
        exists = key in self.names or any(n.endswith("." + key) for n in self.names)
        return Answer(key, rrtype, Outcome.NODATA if exists else Outcome.NXDOMAIN)


def _error(name: str, rrtype: RRType, kind: str) -> DnsError:
    if kind == "timeout":
        return DnsTimeoutError(name, rrtype.value, "no answer within the time limit")
    return DnsServerError(name, rrtype.value, kind.upper())


def txt_zone(zone: Mapping[str, Sequence[str]]) -> dict[tuple[str, RRType], Sequence[str]]:
    """Conformance ``zone`` maps (name -> TXT strings) as resolver data."""
    return {(name, RRType.TXT): texts for name, texts in zone.items()}
