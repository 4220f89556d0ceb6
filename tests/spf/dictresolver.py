"""A ``Resolver`` backed by a dict: our own protocol implemented in memory, for unit tests.

Keys are ``(name, RRType)``; a value is a tuple of record texts, or a ``DnsError`` instance to
raise. A name with no key of any type is NXDOMAIN; a known name without the type is NODATA.
"""

from __future__ import annotations

from collections import Counter

from mailcheck.dns.interface import Answer, Outcome, RRType, normalize_name
from mailcheck.errors import DnsError


class DictResolver:
    """See ``Resolver``; counts every lookup in ``queries``."""

    def __init__(self, data: dict[tuple[str, RRType], tuple[str, ...] | DnsError]) -> None:
        self.data = {(normalize_name(n), t): v for (n, t), v in data.items()}
        self.names = {n for n, _ in self.data}
        self.queries: Counter[tuple[str, RRType]] = Counter()

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        key = (normalize_name(name), rrtype)
        self.queries[key] += 1
        value = self.data.get(key)
        if isinstance(value, DnsError):
            raise value
        if value:
            return Answer(key[0], rrtype, Outcome.ANSWER, tuple(sorted(value)), 300)
        outcome = Outcome.NODATA if key[0] in self.names else Outcome.NXDOMAIN
        return Answer(key[0], rrtype, outcome)
