"""Shared infrastructure: does each listed IP belong to a shared sending service?

Decided from each service's own live SPF (include domains are data in
``rules/shared-infrastructure.toml``), never from ranges written in code. An IP inside Amazon
SES or Mailgun is shared by every customer of that service, which makes IP allowlisting risky.
"""

from __future__ import annotations

import asyncio
import ipaddress

from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.interface import CheckContext
from mailcheck.dns.interface import Resolver
from mailcheck.facts.shared_infra import IpOwner, ServiceSpf, SharedInfraFacts
from mailcheck.protocols.spf.expand import ExpandedRecord, expand_record
from mailcheck.protocols.spf.trace import SpfResult
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.rulefiles.services import SharedService, load_services


class SharedInfraCheck:
    """See ``Check``."""

    name = "shared-infrastructure"
    title = "Shared infrastructure: who operates each listed IP"

    def __init__(self, services: tuple[SharedService, ...] | None = None) -> None:
        self.services = services

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        if context.profile is None:
            skipped = Finding("SHR005", Status.INFO, "No sender profile given: no IPs to check")
            return CheckResult(self.name, self.title, (skipped,))
        services = self.services if self.services is not None else load_services()
        facts = await gather(context.profile, services, context.resolver)
        return CheckResult(self.name, self.title, evaluate(facts), facts)


async def gather(
    profile: SenderProfile, services: tuple[SharedService, ...], resolver: Resolver
) -> SharedInfraFacts:
    """Expand every service's include domains (concurrently), then attribute each network."""
    records = await expand_services(services, resolver)
    owners = tuple(
        _owner(str(n.network), n.documented, services, records) for n in profile.networks
    )
    summaries = tuple(_service_facts(s, records[s.id]) for s in services)
    return SharedInfraFacts(profile.id, summaries, owners)


async def expand_services(
    services: tuple[SharedService, ...], resolver: Resolver
) -> dict[str, tuple[ExpandedRecord, ...]]:
    """Service id -> its include domains' live SPF, expanded (all services concurrently)."""
    expanded = await asyncio.gather(
        *(
            asyncio.gather(*(expand_record(resolver, domain) for domain in s.spf_includes))
            for s in services
        )
    )
    return {s.id: tuple(r) for s, r in zip(services, expanded, strict=True)}


async def owners_of(
    networks: tuple[str, ...], resolver: Resolver, services: tuple[SharedService, ...] | None = None
) -> tuple[IpOwner, ...]:
    """Which shared services' live SPF covers each network (``mailcheck audit`` asks this of
    allowlist entries, as this check asks it of a profile's networks)."""
    known = services if services is not None else load_services()
    records = await expand_services(known, resolver)
    return tuple(_owner(network, True, known, records) for network in networks)


async def shared_services_by_ip(profile: SenderProfile, resolver: Resolver) -> dict[str, str]:
    """Documented host IP -> the shared services that send from it (for other checks' wording).
    Runs on the run's one resolver, so after this check it costs no query."""
    facts = await gather(profile, load_services(), resolver)
    by_ip = {}
    for owner in facts.owners:
        network = ipaddress.ip_network(owner.network)
        if owner.documented and owner.services and network.num_addresses == 1:
            by_ip[str(network.network_address)] = ", ".join(owner.services)
    return by_ip


def _service_facts(service: SharedService, records: tuple[ExpandedRecord, ...]) -> ServiceSpf:
    errors = tuple(e for r in records for _t, e in _errors(r))
    return ServiceSpf(
        service.id,
        service.name,
        service.spf_includes,
        sum(len(r.authorized()) for r in records),
        errors,
        any(_has_temporary(r) for r in records),
        tuple(f"{t}: {reason}" for r in records for t, reason in r.unexpandable()),
    )


def _errors(record: ExpandedRecord) -> tuple[tuple[str, str], ...]:
    return ((record.domain, record.error),) if record.error else ()


def _has_temporary(record: ExpandedRecord) -> bool:
    if record.temporary:
        return True
    return any(t.child is not None and _has_temporary(t.child) for t in record.terms)


def _owner(
    network: str,
    documented: bool,
    services: tuple[SharedService, ...],
    records: dict[str, tuple[ExpandedRecord, ...]],
) -> IpOwner:
    owned: list[str] = []
    via: list[str] = []
    undecided: list[str] = []
    temporary = False
    for service in services:
        for record in records[service.id]:
            verdict, why = _decide(network, record)
            if verdict is True:
                owned.append(service.name)
                via.append(why)
                break
            if verdict is None:
                undecided.append(service.name)
                temporary = temporary or _has_temporary(record)
    return IpOwner(
        network,
        documented,
        tuple(dict.fromkeys(owned)),
        tuple(via),
        tuple(dict.fromkeys(undecided)),
        temporary,
    )


def _decide(network: str, record: ExpandedRecord) -> tuple[bool | None, str]:
    """True: the service's SPF passes it; False: it does not; None: its SPF cannot say."""
    net = ipaddress.ip_network(network)
    if net.num_addresses == 1:
        result, why = record.static_result(net.network_address)
        if result is None or result in (SpfResult.TEMPERROR, SpfResult.PERMERROR):
            return None, why
        return result is SpfResult.PASS, f"{record.domain}: {why}"
    for item in record.authorized():
        if item.network.version == net.version and net.subnet_of(item.network):  # type: ignore[arg-type]
            return True, " -> ".join(item.via)
    return (None, record.error) if record.error else (False, "")


def evaluate(facts: SharedInfraFacts) -> tuple[Finding, ...]:
    """Decide findings from gathered facts (pure)."""
    findings = [_owner_finding(o) for o in facts.owners]
    unusable = [s for s in facts.services if s.errors or s.unexpandable]
    if unusable:
        evidence = tuple(dict.fromkeys(e for s in unusable for e in (s.unexpandable or s.errors)))
        names = ", ".join(s.name for s in unusable)
        summary = f"SPF of {len(unusable)} shared services could not be fully read ({names})"
        findings.append(Finding("SHR004", Status.INFO, summary, evidence=evidence))
    return tuple(findings)


def _owner_finding(owner: IpOwner) -> Finding:
    shown = owner.network.removesuffix("/32").removesuffix("/128")
    label = shown if owner.documented else f"{shown} (undocumented)"
    if owner.services:
        names = " and ".join(owner.services)
        summary = (
            f"{label} is shared infrastructure of {names}: an IP allowlist entry for it admits "
            f"every {names} customer, not just this sender"
        )
        return Finding("SHR001", Status.WARN, summary, subject=owner.network, evidence=owner.via)
    if owner.undecided and owner.undecided_temporary:
        summary = f"Could not tell whether {label} belongs to a shared service: lookups failed"
        evidence = tuple(f"undecided: {name}" for name in owner.undecided)
        return Finding("SHR003", Status.ERROR, summary, subject=owner.network, evidence=evidence)
    summary = f"{label} is not authorized by any known shared sending service's SPF"
    evidence = tuple(f"undecided: {name}" for name in owner.undecided)
    return Finding("SHR002", Status.INFO, summary, subject=owner.network, evidence=evidence)
