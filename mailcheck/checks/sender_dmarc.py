"""DMARC of each sender-profile domain (RFC 9989) and, per sender address, whether DMARC can
pass via SPF (envelope domain aligned) or only via DKIM.

Gathers DNS Tree Walks for the sender, envelope and DKIM domains, then ``evaluate`` decides.
"""

from __future__ import annotations

import asyncio
import dataclasses

from mailcheck.base.errors import DnsError
from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.sender_dmarc_findings import domain_findings, prediction_findings
from mailcheck.checks.sender_dmarc_reports import (
    destination_findings,
    gather_destinations,
    ignored_findings,
)
from mailcheck.checks.sender_fixes import dmarc_fixes
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.facts.sender_dmarc import DomainDmarc, SenderDmarcFacts
from mailcheck.protocols.dmarc import (
    discover_policy,
    org_domains_of,
    predict,
    walk_all,
)
from mailcheck.rulefiles.profiles import SenderProfile


class SenderDmarcCheck:
    """See ``Check``."""

    name = "sender-dmarc"
    title = "Sender DMARC (RFC 9989): policy and how DMARC can pass"

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        if context.profile is None:
            finding = Finding(
                "DMC014", Status.INFO, "No sender profile given: sender DMARC not checked"
            )
            return CheckResult(self.name, self.title, (finding,))
        facts = await gather(context.profile, context.resolver)
        fixes = tuple(fix for domain in facts.domains for fix in dmarc_fixes(domain))
        facts = dataclasses.replace(facts, sender_fixes=fixes)
        return CheckResult(self.name, self.title, evaluate(facts), facts)


async def gather(profile: SenderProfile, resolver: Resolver) -> SenderDmarcFacts:
    """Walk every relevant domain once, then discover policies and predict per address."""
    senders = profile.sender_domains
    walks = await walk_all(resolver, (*senders, *profile.envelope_domains, *profile.dkim_domains))
    exists = await asyncio.gather(*(domain_exists(resolver, d) for d in senders))
    results = [discover_policy(walks[d], e) for d, e in zip(senders, exists, strict=True)]
    destinations = await asyncio.gather(*(gather_destinations(resolver, r) for r in results))
    domains = tuple(
        DomainDmarc(d, e, r, walks[d], found)
        for d, e, r, found in zip(senders, exists, results, destinations, strict=True)
    )
    by_domain = {d.domain: d.result for d in domains}
    orgs = org_domains_of(walks)
    predictions = tuple(
        predict(
            s.address,
            by_domain[s.domain],
            profile.envelope_domains,
            profile.dkim_domains,
            orgs,
        )
        for s in profile.senders
    )
    return SenderDmarcFacts(
        profile.id, profile.envelope_domains, profile.dkim_domains, domains, predictions
    )


async def domain_exists(resolver: Resolver, domain: str) -> bool | None:
    """RFC 9989 non-existent domain: no A, AAAA or MX (NXDOMAIN or NODATA for all three)."""
    try:
        answers = await asyncio.gather(
            *(resolver.resolve(domain, t) for t in (RRType.A, RRType.AAAA, RRType.MX))
        )
    except DnsError:
        return None
    return any(a.outcome is Outcome.ANSWER for a in answers)


def evaluate(facts: SenderDmarcFacts) -> tuple[Finding, ...]:
    """Decide findings from gathered facts (pure; tested on literal facts)."""
    findings: list[Finding] = []
    for domain in facts.domains:
        findings.extend(domain_findings(domain.result, domain.walk, domain.exists))
        findings.extend(ignored_findings(domain.walk, domain.domain))
        findings.extend(destination_findings(domain.domain, domain.destinations))
    for prediction in facts.predictions:
        findings.extend(prediction_findings(prediction))
    return tuple(findings)
