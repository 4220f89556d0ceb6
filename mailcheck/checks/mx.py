"""Where mail for the company domain enters: MX records and whether their hosts resolve.

Covers null MX (RFC 7505), implicit MX (RFC 5321 §5.1), MX targets that are CNAMEs or IP
literals, and MX hosts without addresses. Facts are gathered first, then ``evaluate`` decides.
Address classes, repeated hosts, shared preferences and IPv6 coverage are ``mx_hygiene``'s.
"""

from __future__ import annotations

import asyncio
import ipaddress

from mailcheck.base.errors import DnsError
from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.interface import CheckContext
from mailcheck.dns.interface import Answer, MxRecord, Outcome, Resolver, RRType
from mailcheck.facts.mx import MxFacts, MxHost

# More MX hosts than this is a mistake or hostile data; the report says when it cut the list.
MAX_MX_HOSTS = 20


class MxCheck:
    """See ``Check``."""

    name = "mx"
    title = "MX: where mail for the domain is delivered"

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        facts = await gather(context.domain, context.resolver)
        return CheckResult(self.name, self.title, evaluate(facts), facts)


async def gather(domain: str, resolver: Resolver) -> MxFacts:
    """Look up the MX set and the address of every host."""
    try:
        answer = await resolver.resolve(domain, RRType.MX)
    except DnsError as exc:
        return MxFacts(domain, "error", error=str(exc))
    if answer.outcome is Outcome.NXDOMAIN:
        return MxFacts(domain, "nxdomain")
    if answer.outcome is Outcome.NODATA:
        implicit = await _host(resolver, domain, 0)
        state = "implicit" if implicit.addresses else ("error" if implicit.error else "none")
        return MxFacts(domain, state, hosts=(implicit,), error=implicit.error)
    records = tuple(
        sorted(
            (MxRecord.from_text(r) for r in answer.records),
            key=lambda r: (r.preference, r.exchange),
        )
    )
    if any(r.exchange == "." for r in records):
        return MxFacts(domain, "null", answer.records)
    chosen = records[:MAX_MX_HOSTS]
    hosts = await asyncio.gather(*(_host(resolver, r.exchange, r.preference) for r in chosen))
    return MxFacts(domain, "mx", answer.records, tuple(hosts), truncated=len(records) - len(chosen))


async def _host(resolver: Resolver, name: str, preference: int) -> MxHost:
    if _is_ip_literal(name):
        return MxHost(name, preference)
    try:
        answers: list[Answer] = list(
            await asyncio.gather(
                resolver.resolve(name, RRType.A), resolver.resolve(name, RRType.AAAA)
            )
        )
    except DnsError as exc:
        return MxHost(name, preference, error=str(exc))
    addresses = tuple(a for answer in answers for a in answer.records)
    cnames = next((answer.cnames for answer in answers if answer.cnames), ())
    return MxHost(name, preference, addresses, cnames)


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def evaluate(facts: MxFacts) -> tuple[Finding, ...]:
    """Decide findings from gathered facts (pure; tested on literal facts)."""
    domain = facts.domain
    match facts.state:
        case "error":
            return (
                Finding(
                    "MX009",
                    Status.ERROR,
                    f"Could not look up the MX of {domain}",
                    subject=domain,
                    evidence=(facts.error,),
                ),
            )
        case "nxdomain":
            return (
                Finding("MX005", Status.FAIL, f"{domain} does not exist in DNS", subject=domain),
            )
        case "none":
            return (
                Finding(
                    "MX004",
                    Status.FAIL,
                    f"{domain} has no MX and no address: it cannot receive mail",
                    subject=domain,
                ),
            )
        case "null":
            return _null_mx(facts)
        case "implicit":
            return (
                Finding(
                    "MX003",
                    Status.WARN,
                    f"{domain} has no MX; mail goes to its own address (implicit MX)",
                    subject=domain,
                    evidence=facts.hosts[0].addresses,
                ),
            )
    return _mx_hosts(facts)


def _null_mx(facts: MxFacts) -> tuple[Finding, ...]:
    evidence = tuple(f"MX {r}" for r in facts.records)
    if len(facts.records) > 1:
        return (
            Finding(
                "MX010",
                Status.FAIL,
                f"{facts.domain} mixes a null MX with other MX records",
                subject=facts.domain,
                evidence=evidence,
            ),
        )
    return (
        Finding(
            "MX002",
            Status.FAIL,
            f"{facts.domain} publishes a null MX: it accepts no mail",
            subject=facts.domain,
            evidence=evidence,
        ),
    )


def _mx_hosts(facts: MxFacts) -> tuple[Finding, ...]:
    findings: list[Finding] = []
    for host in facts.hosts:
        findings.extend(_host_findings(host))
    usable = [h for h in facts.hosts if h.addresses]
    named = [h for h in facts.hosts if not _is_ip_literal(h.exchange)]  # literals: MX008 says it
    if named and not usable and not any(h.error for h in facts.hosts):
        findings.append(
            Finding(
                "MX007",
                Status.FAIL,
                f"No MX host of {facts.domain} has an address: mail cannot be delivered",
                subject=facts.domain,
            )
        )
    elif usable and not any(f.status is Status.FAIL for f in findings):
        names = ", ".join(f"{h.exchange} ({h.preference})" for h in facts.hosts)
        findings.insert(
            0,
            Finding(
                "MX001",
                Status.PASS,
                f"{facts.domain} receives mail at {names}",
                subject=facts.domain,
                evidence=tuple(f"MX {r}" for r in facts.records),
            ),
        )
    return tuple(findings)


def _host_findings(host: MxHost) -> list[Finding]:
    if _is_ip_literal(host.exchange):
        return [
            Finding(
                "MX008",
                Status.FAIL,
                f"MX record names the IP literal {host.exchange}, not a host name",
                subject=host.exchange,
            )
        ]
    if host.error:
        return [
            Finding(
                "MX009",
                Status.ERROR,
                f"Could not resolve MX host {host.exchange}",
                subject=host.exchange,
                evidence=(host.error,),
            )
        ]
    findings = []
    if host.cnames:
        chain = " -> ".join((host.exchange, *host.cnames))
        findings.append(
            Finding(
                "MX006",
                Status.WARN,
                f"MX host {host.exchange} is a CNAME",
                subject=host.exchange,
                evidence=(chain,),
            )
        )
    if not host.addresses:
        findings.append(
            Finding(
                "MX007",
                Status.WARN,
                f"MX host {host.exchange} has no A or AAAA record",
                subject=host.exchange,
            )
        )
    return findings
