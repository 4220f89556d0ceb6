"""Findings of the DNSBL check (pure): per list its self-test, listings, refusals, errors."""

from __future__ import annotations

from collections.abc import Mapping

from mailcheck.base.model import Finding, Status
from mailcheck.facts.dnsbl import DnsblFacts, Lookup, ZoneFacts

_SELF_TEST = {
    "failed": (
        "BL005",
        "failed its RFC 5782 self-test (127.0.0.2 must be listed, 127.0.0.1 must not): "
        "its answers are not trusted and no IP was checked on it",
    ),
    "refused": ("BL003", "refused the self-test query: no IP was checked on it"),
    "rewritten": (
        "BL004",
        "self-test got an answer outside 127.0.0.0/8: a resolver rewrites answers",
    ),
    "error": ("BL006", "could not be self-tested: a lookup failed"),
}


def evaluate(
    facts: DnsblFacts, shared_services: Mapping[str, str] | None = None
) -> tuple[Finding, ...]:
    """Decide findings (pure). ``shared_services`` maps an IP to the sending service whose
    shared infrastructure it is, so a listing says whose problem it is."""
    shared = dict(shared_services or {})
    if facts.zones and all(z.self_test != "ok" for z in facts.zones):
        return (none_usable(facts.zones, facts.ips),)
    findings: list[Finding] = []
    for zone in facts.zones:
        findings.extend(zone_findings(zone, shared))
    findings.extend(_clear_findings(facts))
    return tuple(findings)


def _clear_findings(facts: DnsblFacts) -> list[Finding]:
    trusted = [z for z in facts.zones if z.self_test == "ok"]
    out = []
    for ip in facts.ips:
        states = [x.state for z in trusted for x in z.lookups if x.ip == ip]
        if trusted and states and all(s == "clear" for s in states):
            names = ", ".join(z.zone for z in trusted)
            out.append(Finding("BL001", Status.PASS, f"{ip} is not listed on {names}", subject=ip))
    return out


def none_usable(zones: tuple[ZoneFacts, ...], ips: tuple[str, ...]) -> Finding:
    """One finding for "every list failed its self-test": the blocklist status is unknown.

    INFO, not ERROR: nothing about the sender was decided wrongly, one source of evidence was
    unavailable (typically offline, or a resolver that blocks DNSBL zones), and the summary
    says exactly what was not checked.
    """
    reasons = {z.self_test for z in zones}
    why = " / ".join(sorted(_WHY[r] for r in reasons))
    summary = (
        f"No blocklist could be used: all {len(zones)} DNSBLs failed their RFC 5782 self-test "
        f"({why}); the blocklist status of {len(ips)} sender IPs was not checked"
    )
    detail = (
        "Not checked: whether any of these IPs is listed on a DNS blocklist. Nothing else in "
        "the report depends on it. Run from a network whose resolver answers DNSBL queries "
        "(not a public resolver, not a filtering one) to check."
    )
    evidence = tuple(f"{z.zone}: {z.self_test}: {'; '.join(z.self_test_detail)}" for z in zones)
    evidence += tuple(f"not checked: {ip}" for ip in ips)
    return Finding("BL009", Status.INFO, summary, detail, "", evidence)


_WHY = {
    "failed": "wrong test answers",
    "refused": "queries refused",
    "rewritten": "answers rewritten by a resolver",
    "error": "lookups failed",
}


def zone_findings(zone: ZoneFacts, shared: dict[str, str]) -> list[Finding]:
    """Findings for one list; a list that failed its self-test yields only that."""
    if zone.self_test != "ok":
        code, text = _SELF_TEST[zone.self_test]
        return [
            Finding(
                code,
                Status.ERROR,
                f"DNSBL {zone.zone} ({zone.operator}) {text}",
                f"Usage terms: {zone.usage}",
                zone.zone,
                zone.self_test_detail,
            )
        ]
    return [f for x in zone.lookups if (f := _lookup_finding(zone, x, shared)) is not None]


def _lookup_finding(zone: ZoneFacts, x: Lookup, shared: dict[str, str]) -> Finding | None:
    evidence = (
        tuple(f"{x.query} A {a}" for a in x.answers)
        + tuple(f"{x.query} TXT {t}" for t in x.reason)
        + x.meanings
    )
    match x.state:
        case "listed":
            return _listed(zone, x, shared.get(x.ip, ""), evidence)
        case "refused" | "rewritten":
            return _not_a_listing(zone, x, evidence)
        case "error":
            return Finding(
                "BL006",
                Status.ERROR,
                f"Could not look up {x.ip} on {zone.zone}",
                "The lookup did not complete; this is neither listed nor clear.",
                x.ip,
                (x.error,),
            )
        case "no-ipv6":
            return Finding(
                "BL007",
                Status.INFO,
                f"{zone.zone} has no IPv6 data; {x.ip} was not checked on it",
                subject=x.ip,
            )
    return None


def _not_a_listing(zone: ZoneFacts, x: Lookup, evidence: tuple[str, ...]) -> Finding:
    if x.state == "refused":
        return Finding(
            "BL003",
            Status.ERROR,
            f"DNSBL {zone.zone} refused to answer for {x.ip}: {'; '.join(x.meanings)}",
            f"This is not a listing. Usage terms: {zone.usage}",
            x.ip,
            evidence,
        )
    return Finding(
        "BL004",
        Status.ERROR,
        f"Answer for {x.ip} on {zone.zone} is outside 127.0.0.0/8: a resolver rewrites answers",
        "This is not a listing: the resolver, not the list, answered. Use a resolver that "
        "returns NXDOMAIN unchanged.",
        x.ip,
        evidence,
    )


def _listed(zone: ZoneFacts, x: Lookup, service: str, evidence: tuple[str, ...]) -> Finding:
    why = "; ".join(x.meanings)
    if service:
        return Finding(
            "BL002",
            Status.WARN,
            f"{x.ip} (shared {service} infrastructure) is listed on {zone.zone}: {why}",
            f"The IP is shared by {service}'s customers, so the listing may come from another "
            f"sender. It is {service}'s problem, to raise with the vendor: not a reason to "
            "allowlist the IP, which would also let the other senders' mail in.",
            x.ip,
            evidence,
        )
    return Finding(
        "BL002",
        Status.WARN,
        f"{x.ip} is listed on {zone.zone} ({zone.operator}): {why}",
        "Filters that use this list may refuse or junk the sender's mail; the sender must "
        f"get it delisted. Usage terms: {zone.usage}",
        x.ip,
        evidence,
    )
