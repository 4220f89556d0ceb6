"""A tiny dict-backed ``Resolver`` for DMARC/PTR/DNSBL tests (our own protocol, no mocks).

Names not in the data are NXDOMAIN; a name present with other types answers NODATA; names in
``failing`` raise the given ``DnsError`` so "could not decide" paths are exercised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mailcheck.dns.interface import Answer, Outcome, RRType, normalize_name
from mailcheck.errors import DnsError, DnsServerError, DnsTimeoutError


class DictResolver:
    """See ``Resolver``; ``queries`` records every (name, type) asked, in order."""

    def __init__(
        self,
        data: Mapping[tuple[str, RRType], Sequence[str]],
        failing: Mapping[str, str] | None = None,
    ) -> None:
        self.data = {(normalize_name(n), t): tuple(v) for (n, t), v in data.items()}
        self.names = {n for n, _ in self.data}
        self.failing = {normalize_name(k): v for k, v in (failing or {}).items()}
        self.queries: list[tuple[str, RRType]] = []

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        key = normalize_name(name)
        self.queries.append((key, rrtype))
        if key in self.failing:
            raise _error(key, rrtype, self.failing[key])
        if (key, rrtype) in self.data:
            return Answer(key, rrtype, Outcome.ANSWER, self.data[(key, rrtype)], 300)
        exists = key in self.names or any(n.endswith("." + key) for n in self.names)
        return Answer(key, rrtype, Outcome.NODATA if exists else Outcome.NXDOMAIN)


def _error(name: str, rrtype: RRType, kind: str) -> DnsError:
    if kind == "timeout":
        return DnsTimeoutError(name, rrtype.value, "no answer within the time limit")
    return DnsServerError(name, rrtype.value, kind.upper())


def txt_zone(zone: Mapping[str, Sequence[str]]) -> dict[tuple[str, RRType], Sequence[str]]:
    """Conformance ``zone`` maps (name -> TXT strings) as resolver data."""
    return {(name, RRType.TXT): texts for name, texts in zone.items()}
