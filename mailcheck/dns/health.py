"""Is the resolver itself sane? Ask for names that must exist before trusting "does not exist".

A resolver that answers NXDOMAIN (or SERVFAIL) to everything — a captive portal, a broken
forwarder, a filtering resolver — would otherwise make every domain look absent. The probes are
the root zone's SOA and a TLD's NS: every working recursive resolver answers at least one. A
probe that times out or is REFUSED says nothing either way (an authoritative-only server
refuses names outside its zones), so only NXDOMAIN and SERVFAIL count against the resolver.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mailcheck.base.errors import DnsError, DnsServerError
from mailcheck.dns.interface import Outcome, Resolver, RRType

# (name, type): the root SOA, and the NS of a TLD that has existed since 1985.
PROBES: tuple[tuple[str, RRType], ...] = (("", RRType.SOA), ("com", RRType.NS))


@dataclass(frozen=True)
class ResolverHealth:
    """What the probes got back; ``broken`` when every one said "no such name" or SERVFAIL."""

    broken: bool
    evidence: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        """The JSON form kept in the evidence file's metadata, so a replay knows it too."""
        return {"broken": self.broken, "evidence": list(self.evidence)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ResolverHealth:
        """Read ``to_data``'s form back (``ValueError`` when it is not that form)."""
        broken, evidence = data.get("broken"), data.get("evidence")
        if not isinstance(broken, bool) or not isinstance(evidence, list):
            raise ValueError("resolver_health must hold 'broken' and 'evidence'")
        return cls(broken, tuple(str(e) for e in evidence))


HEALTHY = ResolverHealth(False)


async def check_resolver(
    resolver: Resolver, probes: Sequence[tuple[str, RRType]] = PROBES
) -> ResolverHealth:
    """Ask every probe at once; the resolver is broken when all of them fail as "absent"."""
    outcomes = await asyncio.gather(*(_probe(resolver, name, rrtype) for name, rrtype in probes))
    lines = tuple(line for line, _ in outcomes)
    return ResolverHealth(bool(outcomes) and all(bad for _, bad in outcomes), lines)


async def _probe(resolver: Resolver, name: str, rrtype: RRType) -> tuple[str, bool]:
    label = f"{name or '.'} {rrtype.value}"
    try:
        answer = await resolver.resolve(name, rrtype)
    except DnsServerError as exc:
        return f"{label}: server answered {exc.rcode}", "SERVFAIL" in exc.rcode
    except DnsError as exc:
        return f"{label}: {exc.reason}", False
    if answer.outcome is Outcome.NXDOMAIN:
        return f"{label}: NXDOMAIN (this name must exist)", True
    shown = "; ".join(answer.records[:2]) or answer.outcome.value
    return f"{label}: {shown}", False
