"""Reverse DNS of each documented sender IP: PTR, and forward confirmation (FCrDNS).

Many filters penalise a source IP without a PTR, or whose PTR name does not resolve back to
the same IP (RFC 8601 §3 "iprev"; FCrDNS). A lookup that cannot complete is an ERROR finding,
never "no PTR".
"""

from __future__ import annotations

import asyncio
import ipaddress

from mailcheck.base.errors import DnsError
from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.interface import CheckContext
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.facts.reverse_dns import IpReverse, PtrHost, ReverseDnsFacts

MAX_PTR_NAMES = 10  # more PTR records than this is hostile or broken data


class ReverseDnsCheck:
    """See ``Check``."""

    name = "reverse-dns"
    title = "Reverse DNS (PTR and FCrDNS) of the sender's IPs"

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        if context.profile is None:
            finding = Finding("PTR005", Status.INFO, "No sender profile given: PTR not checked")
            return CheckResult(self.name, self.title, (finding,))
        ips = [str(n.network.network_address) for n in context.profile.documented_hosts]
        facts = ReverseDnsFacts(
            context.profile.id,
            tuple(await asyncio.gather(*(lookup_ip(context.resolver, ip) for ip in ips))),
        )
        return CheckResult(self.name, self.title, evaluate(facts), facts)


async def lookup_ip(resolver: Resolver, ip: str) -> IpReverse:
    """PTR of ``ip``, then the forward addresses of each PTR name."""
    address = ipaddress.ip_address(ip)
    reverse = address.reverse_pointer
    try:
        answer = await resolver.resolve(reverse, RRType.PTR)
    except DnsError as exc:
        return IpReverse(ip, reverse, "error", error=str(exc))
    if answer.outcome is not Outcome.ANSWER or not answer.records:
        return IpReverse(ip, reverse, "none")
    names = sorted(set(answer.records))
    kept = names[:MAX_PTR_NAMES]
    rrtype = RRType.A if address.version == 4 else RRType.AAAA
    hosts = await asyncio.gather(*(_forward(resolver, name, rrtype) for name in kept))
    return IpReverse(ip, reverse, "ptr", tuple(hosts), truncated=len(names) - len(kept))


async def _forward(resolver: Resolver, name: str, rrtype: RRType) -> PtrHost:
    try:
        answer = await resolver.resolve(name, rrtype)
    except DnsError as exc:
        return PtrHost(name, error=str(exc))
    return PtrHost(name, answer.records if answer.outcome is Outcome.ANSWER else ())


def evaluate(facts: ReverseDnsFacts) -> tuple[Finding, ...]:
    """Decide findings from gathered facts (pure; tested on literal facts)."""
    return tuple(_ip_finding(ip) for ip in facts.ips)


def _ip_finding(ip: IpReverse) -> Finding:
    evidence = tuple(
        f"{ip.reverse_name} PTR {h.name} -> {', '.join(h.addresses) or h.error or 'no address'}"
        for h in ip.hosts
    )
    if ip.state == "error":
        return Finding(
            "PTR004",
            Status.ERROR,
            f"Could not look up the PTR of {ip.ip}",
            "The lookup did not complete; this is not a missing PTR.",
            ip.ip,
            (ip.error,),
        )
    if ip.state == "none":
        return Finding(
            "PTR002",
            Status.WARN,
            f"{ip.ip} has no PTR record",
            "Many receiving filters penalise or refuse mail from an IP without reverse DNS.",
            ip.ip,
            (f"{ip.reverse_name} PTR: no record",),
        )
    return _resolved_finding(ip, evidence)


def _resolved_finding(ip: IpReverse, evidence: tuple[str, ...]) -> Finding:
    confirmed = ip.confirmed
    if confirmed:
        return Finding(
            "PTR001",
            Status.PASS,
            f"{ip.ip} has forward-confirmed reverse DNS ({', '.join(confirmed)})",
            subject=ip.ip,
            evidence=evidence,
        )
    if any(h.error for h in ip.hosts):
        return Finding(
            "PTR004",
            Status.ERROR,
            f"Could not confirm the PTR of {ip.ip}: a forward lookup failed",
            "FCrDNS is undecided until the forward lookup completes.",
            ip.ip,
            evidence,
        )
    names = ", ".join(h.name for h in ip.hosts)
    return Finding(
        "PTR003",
        Status.WARN,
        f"{ip.ip} PTR {names} does not resolve back to {ip.ip} (no FCrDNS)",
        "Filters that check forward-confirmed reverse DNS (iprev) treat this as a failure.",
        ip.ip,
        evidence,
    )
