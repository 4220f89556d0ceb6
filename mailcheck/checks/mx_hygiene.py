"""MX hygiene beyond "can mail be delivered": address classes, repeats, IPv6 coverage.

Reuses the MX check's facts (``mx.gather``; the run's resolver cache makes that free) and
decides in pure code (``evaluate_hygiene``). An MX address a sender on the internet cannot reach
(RFC 1918/6890 special-purpose ranges, loopback, link-local, CGNAT, unique-local) is a
finding; documentation ranges (RFC 5737, RFC 3849) get their own informational code,
because they only ever appear in examples and tests.
"""

from __future__ import annotations

import ipaddress
from collections import Counter

from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.mx import gather
from mailcheck.facts.mx import MxFacts, MxHost, MxHygieneFacts

_DOCUMENTATION = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)


class MxHygieneCheck:
    """See ``Check``."""

    name = "mx-hygiene"
    title = "MX hygiene: reachable addresses, repeats, IPv6"

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        facts = await gather(context.domain, context.resolver)
        classes = {h.exchange: {a: address_class(a) for a in h.addresses} for h in facts.hosts}
        ipv6 = tuple(h.exchange for h in facts.hosts if any(":" in a for a in h.addresses))
        hygiene = MxHygieneFacts(facts.domain, classes, ipv6)
        return CheckResult(self.name, self.title, evaluate_hygiene(facts), hygiene)


def address_class(text: str) -> str:
    """ "public", "documentation", or why the address is not reachable from the internet."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return "invalid"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return "ipv4-mapped"
    if any(address in network for network in _DOCUMENTATION):
        return "documentation"
    for label, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if flag:
            return label
    return "public" if address.is_global else "special-purpose"


def evaluate_hygiene(facts: MxFacts) -> tuple[Finding, ...]:
    """Findings about the MX set's addresses and layout (only when real MX records exist)."""
    if facts.state not in ("mx", "implicit"):
        return ()
    findings = _address_findings(facts)
    if facts.state == "mx":
        findings += _repeat_findings(facts)
    findings += _ipv6_findings(facts)
    return tuple(findings)


def _address_findings(facts: MxFacts) -> list[Finding]:
    findings: list[Finding] = []
    public = [h for h in facts.hosts if any(address_class(a) == "public" for a in h.addresses)]
    for host in facts.hosts:
        classes = {a: address_class(a) for a in host.addresses}
        docs = tuple(a for a, c in classes.items() if c == "documentation")
        bogus = tuple(
            f"{a} ({c})" for a, c in classes.items() if c not in ("public", "documentation")
        )
        if bogus:
            status = Status.WARN if public else Status.FAIL
            findings.append(
                Finding(
                    "MX011",
                    status,
                    f"MX host {host.exchange} has addresses the internet cannot reach",
                    detail="Senders outside your network cannot connect to these addresses.",
                    subject=host.exchange,
                    evidence=bogus,
                )
            )
        if docs:
            findings.append(
                Finding(
                    "MX012",
                    Status.INFO,
                    f"MX host {host.exchange} uses documentation addresses (test data?)",
                    subject=host.exchange,
                    evidence=docs,
                )
            )
    return findings


def _repeat_findings(facts: MxFacts) -> list[Finding]:
    findings: list[Finding] = []
    names = Counter(h.exchange for h in facts.hosts)
    for name, count in sorted(names.items()):
        if count > 1:
            findings.append(
                Finding(
                    "MX013",
                    Status.WARN,
                    f"MX host {name} is listed {count} times",
                    detail="Each MX host should appear once; repeats usually mean a "
                    "half-finished change.",
                    subject=name,
                    evidence=tuple(f"MX {r}" for r in facts.records if r.endswith(f" {name}")),
                )
            )
    by_preference = Counter(h.preference for h in facts.hosts)
    for preference, count in sorted(by_preference.items()):
        if count > 1 and len({h.exchange for h in _at(facts.hosts, preference)}) > 1:
            hosts = _at(facts.hosts, preference)
            findings.append(
                Finding(
                    "MX014",
                    Status.INFO,
                    f"{count} MX hosts share preference {preference}: senders pick one at random",
                    detail="RFC 5321 §5.1: equal preferences are load-shared. Every one of "
                    "them must accept the sender, or delivery fails some of the time.",
                    subject=facts.domain,
                    evidence=tuple(f"MX {h.preference} {h.exchange}" for h in hosts),
                )
            )
    return findings


def _at(hosts: tuple[MxHost, ...], preference: int) -> tuple[MxHost, ...]:
    return tuple(h for h in hosts if h.preference == preference)


def _ipv6_findings(facts: MxFacts) -> list[Finding]:
    resolved = [h for h in facts.hosts if h.addresses]
    if not resolved:
        return []
    with_v6 = [h for h in resolved if any(":" in a for a in h.addresses)]
    evidence = tuple(f"{h.exchange}: {'AAAA' if h in with_v6 else 'no AAAA'}" for h in resolved)
    if len(with_v6) == len(resolved):
        every = "The MX host has" if len(resolved) == 1 else f"All {len(resolved)} MX hosts have"
        summary, status = f"{every} IPv6 (AAAA)", Status.PASS
    elif with_v6:
        summary = f"{len(with_v6)} of {len(resolved)} MX hosts have IPv6 (AAAA)"
        status = Status.INFO
    else:
        summary, status = (
            "No MX host has IPv6 (AAAA): IPv6-only senders cannot deliver",
            Status.INFO,
        )
    return [Finding("MX015", status, summary, subject=facts.domain, evidence=evidence)]
