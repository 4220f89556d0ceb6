"""Which filtering service receives the domain's mail, from its MX names (and addresses).

Facts name the primary provider id (the provider of the most-preferred MX host); the report
uses it to put that filter's allowlist snippet first. MX records spread over several
providers (dual delivery, a migration) are reported, because each one must allow the sender.
"""

from __future__ import annotations

import functools

from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks import mx
from mailcheck.checks.interface import CheckContext
from mailcheck.facts.mx import MxFacts
from mailcheck.facts.provider import ProviderFacts, ProviderHost
from mailcheck.rulefiles.providers import SELF_HOSTED, Provider, identify, load_providers


@functools.cache
def _builtin() -> tuple[Provider, ...]:
    return load_providers()


class ProviderCheck:
    """See ``Check``."""

    name = "provider"
    title = "Filtering provider: which service receives the mail"

    def __init__(self, providers: tuple[Provider, ...] | None = None) -> None:
        self._providers = providers

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        providers = self._providers if self._providers is not None else _builtin()
        # The resolver caches, so repeating the MX check's lookups costs nothing.
        facts = detect(providers, await mx.gather(context.domain, context.resolver))
        return CheckResult(self.name, self.title, evaluate(facts), facts)


def detect(providers: tuple[Provider, ...], mx_facts: MxFacts) -> ProviderFacts:
    """Match every MX host against the signatures (pure)."""
    if mx_facts.state not in ("mx", "implicit"):
        return ProviderFacts(mx_facts.domain, mx_facts.state, error=mx_facts.error)
    hosts = []
    for host in sorted(mx_facts.hosts, key=lambda h: (h.preference, h.exchange)):
        match = identify(providers, host.exchange, host.addresses, host.cnames)
        evidence = match.evidence or (host.error and f"{host.exchange}: {host.error}")
        hosts.append(
            ProviderHost(host.exchange, host.preference, match.provider, match.method, evidence)
        )
    seen = tuple(dict.fromkeys(h.provider for h in hosts))
    names = {p.id: p.name for p in providers}
    primary = seen[0] if seen else ""
    return ProviderFacts(
        mx_facts.domain,
        mx_facts.state,
        primary,
        names.get(primary, "self-hosted or unknown" if primary else ""),
        seen,
        tuple(hosts),
    )


def evaluate(facts: ProviderFacts) -> tuple[Finding, ...]:
    """Decide findings from the matched hosts (pure; tested on literal facts)."""
    domain = facts.domain
    if facts.state == "error":
        return (
            Finding(
                "PRV004",
                Status.ERROR,
                f"Could not look up the MX of {domain}: provider unknown",
                subject=domain,
                evidence=(facts.error,),
            ),
        )
    if not facts.hosts:
        return ()  # no MX host at all: the MX check already says so
    evidence = tuple(_describe(h) for h in facts.hosts)
    if len(facts.providers) > 1:
        return (
            Finding(
                "PRV002",
                Status.WARN,
                f"{domain}'s MX records point to {len(facts.providers)} different services: "
                + ", ".join(facts.providers),
                detail="Dual delivery or a migration in progress: every one of these must "
                "accept the sender, and each needs its own allowlist entry.",
                subject=domain,
                evidence=evidence,
            ),
        )
    if facts.provider == SELF_HOSTED:
        return (
            Finding(
                "PRV003",
                Status.INFO,
                f"No known filtering service behind {domain}'s MX: self-hosted or unknown",
                subject=domain,
                evidence=evidence,
            ),
        )
    return (
        Finding(
            "PRV001",
            Status.INFO,
            f"Mail for {domain} is received by {facts.provider_name}",
            subject=domain,
            evidence=evidence,
        ),
    )


def _describe(host: ProviderHost) -> str:
    how = f" ({host.evidence})" if host.evidence else ""
    return f"MX {host.preference} {host.exchange}: {host.provider}{how}"
