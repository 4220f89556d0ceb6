"""Sender SPF matrix: every profile sender domain × every listed IP, from live SPF.

For each domain: ``check_host()`` per listed IP (with its trace) and a static expansion of the
record, compared with the profile's networks both ways (drift). Facts are gathered first,
then ``evaluate`` decides (pure; tested on literal facts).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.sender_fixes import spf_fixes
from mailcheck.checks.sender_spf_findings import evaluate
from mailcheck.checks.sender_spf_record import gather_shape, reachable
from mailcheck.dns.interface import Resolver
from mailcheck.facts.sender_spf import Authorized, DomainSpf, IpVerdict, SenderSpfFacts
from mailcheck.protocols.spf import check_host
from mailcheck.protocols.spf.expand import expand_record
from mailcheck.protocols.spf.trace import SpfResult
from mailcheck.rulefiles.profiles import SenderProfile


class SenderSpfCheck:
    """See ``Check``."""

    name = "sender-spf"
    title = "Sender SPF: does the sender's live SPF authorize the listed IPs?"

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        if context.profile is None:
            skipped = Finding("SPF009", Status.INFO, "No sender profile given: SPF not checked")
            return CheckResult(self.name, self.title, (skipped,))
        facts = await gather(context.profile, context.resolver)
        fixes = tuple(fix for domain in facts.domains for fix in spf_fixes(domain))
        facts = dataclasses.replace(facts, sender_fixes=fixes)
        return CheckResult(self.name, self.title, evaluate(facts), facts)


def profile_domains(profile: SenderProfile) -> tuple[tuple[str, str, str], ...]:
    """``(domain, role, environment)`` for each sender domain, then each envelope domain."""
    out: dict[str, tuple[str, str, str]] = {}
    for sender in profile.senders:
        out.setdefault(sender.domain, (sender.domain, "sender", sender.environment.value))
    for domain in profile.envelope_domains:
        out.setdefault(domain, (domain, "envelope", ""))
    return tuple(out.values())


async def gather(profile: SenderProfile, resolver: Resolver) -> SenderSpfFacts:
    """Evaluate every domain × listed IP concurrently on one resolver."""
    listed = tuple(str(n.network.network_address) for n in profile.networks if n.is_host)
    domains = await asyncio.gather(
        *(
            _domain(resolver, profile, d, role, env, listed)
            for d, role, env in profile_domains(profile)
        )
    )
    networks = tuple((str(n.network), n.documented) for n in profile.networks)
    return SenderSpfFacts(profile.id, listed, networks, tuple(domains))


async def _domain(
    resolver: Resolver,
    profile: SenderProfile,
    domain: str,
    role: str,
    environment: str,
    listed: tuple[str, ...],
) -> DomainSpf:
    sender = _sender_for(profile, domain)
    expanded, verdicts = await asyncio.gather(
        expand_record(resolver, domain),
        asyncio.gather(*(_verdict(resolver, ip, domain, sender) for ip in listed)),
    )
    return DomainSpf(
        domain,
        role,
        environment,
        expanded.record,
        expanded.error,
        expanded.temporary,
        expanded.ending,
        tuple(Authorized(network, via) for network, via in reachable(expanded)),
        expanded.unexpandable(),
        tuple(verdicts),
        await gather_shape(resolver, expanded),
    )


def _sender_for(profile: SenderProfile, domain: str) -> str:
    """An exact profile address at ``domain`` (macros may use the local part), else postmaster."""
    exact = [s.address for s in profile.senders if s.domain == domain and not s.is_wildcard]
    return exact[0] if exact else f"postmaster@{domain}"


async def _verdict(resolver: Resolver, ip: str, domain: str, sender: str) -> IpVerdict:
    outcome = await check_host(resolver, ip, domain, sender)
    matched = _matched_path(outcome.trace)
    reason = outcome.reason if outcome.result is not SpfResult.PASS else ""
    return IpVerdict(ip, outcome.result.value, matched, reason, outcome.trace)


def _matched_path(trace: Any) -> str:
    """``"a.example: include:b.example -> b.example: ip4:192.0.2.0/24"``: why it matched."""
    steps: list[str] = []
    node = trace
    while node is not None and node.matched:
        steps.append(f"{node.domain}: {node.matched}")
        hit = next((t for t in node.terms if t.term == node.matched and t.child), None)
        node = hit.child if hit is not None else None
    return " -> ".join(steps)
