"""DNS blocklist status of each documented sender IP, on lists that pass a self-test.

Each list is first tested per RFC 5782 §5 (127.0.0.2 listed, 127.0.0.1 not; for IPv6
::FFFF:7F00:2 and ::FFFF:7F00:1). Refusal codes (Spamhaus 127.255.255.x) and answers outside
127.0.0.0/8 (a resolver rewriting NXDOMAIN) are errors with an explanation, never "listed".
"""

from __future__ import annotations

import asyncio
import ipaddress

from mailcheck.base.errors import DnsError
from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.dnsbl_findings import evaluate
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.shared_infra import shared_services_by_ip
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.facts.dnsbl import DnsblFacts, Lookup, ZoneFacts
from mailcheck.rulefiles.dnsbl_zones import LOOPBACK_NET, DnsblRules, DnsblZone, load_dnsbl_rules

# RFC 5782 §5 test entries.
TEST_LISTED = ("127.0.0.2", "::ffff:7f00:2")
TEST_CLEAR = ("127.0.0.1", "::ffff:7f00:1")


class DnsblCheck:
    """See ``Check``; the zones come from ``rules/dnsbl.toml`` unless given."""

    name = "dnsbl"
    title = "DNS blocklists (DNSBL) for the sender's IPs"

    def __init__(self, rules: DnsblRules | None = None) -> None:
        self._rules = rules

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        if context.profile is None:
            finding = Finding("BL008", Status.INFO, "No sender profile given: DNSBLs not checked")
            return CheckResult(self.name, self.title, (finding,))
        rules = self._rules or load_dnsbl_rules()
        ips = tuple(str(n.network.network_address) for n in context.profile.documented_hosts)
        facts, shared = await asyncio.gather(
            gather(context.profile.id, ips, rules.zones, context.resolver),
            shared_services_by_ip(context.profile, context.resolver),
        )
        findings = evaluate(facts, shared)
        return CheckResult(self.name, self.title, findings, facts)


async def gather(
    profile_id: str, ips: tuple[str, ...], zones: tuple[DnsblZone, ...], resolver: Resolver
) -> DnsblFacts:
    """Self-test every list, then look up every IP on the lists that passed."""
    facts = await asyncio.gather(*(_zone_facts(zone, ips, resolver) for zone in zones))
    return DnsblFacts(profile_id, ips, tuple(facts))


async def _zone_facts(zone: DnsblZone, ips: tuple[str, ...], resolver: Resolver) -> ZoneFacts:
    state, detail = await self_test(zone, resolver)
    lookups: tuple[Lookup, ...] = ()
    if state == "ok":
        lookups = tuple(await asyncio.gather(*(lookup(zone, ip, resolver) for ip in ips)))
    return ZoneFacts(zone.zone, zone.operator, zone.usage, zone.url, state, detail, lookups)


async def self_test(zone: DnsblZone, resolver: Resolver) -> tuple[str, tuple[str, ...]]:
    """RFC 5782 §5; returns the state and evidence lines."""
    families = (0, 1) if zone.ipv6 else (0,)
    listed = [await lookup(zone, TEST_LISTED[f], resolver) for f in families]
    clear = [await lookup(zone, TEST_CLEAR[f], resolver) for f in families]
    evidence = tuple(f"{x.query}: {x.state} {' '.join(x.answers)}".strip() for x in listed + clear)
    for bad in ("error", "rewritten", "refused"):
        if any(x.state == bad for x in listed + clear):
            return bad, evidence + tuple(m for x in listed + clear for m in x.meanings)
    if all(x.state == "listed" for x in listed) and all(x.state == "clear" for x in clear):
        return "ok", evidence
    return "failed", evidence


async def lookup(zone: DnsblZone, ip: str, resolver: Resolver) -> Lookup:
    """Query one IP (IPv4 reversed octets, IPv6 reversed nibbles) and classify the answer."""
    address = ipaddress.ip_address(ip)
    if address.version == 6 and not zone.ipv6:
        return Lookup(ip, "", "no-ipv6")
    reverse = address.reverse_pointer.rsplit(".", 2)[0]  # drop in-addr.arpa / ip6.arpa
    query = f"{reverse}.{zone.zone}"
    try:
        answer = await resolver.resolve(query, RRType.A)
    except DnsError as exc:
        return Lookup(ip, query, "error", error=str(exc))
    if answer.outcome is not Outcome.ANSWER or not answer.records:
        return Lookup(ip, query, "clear")
    state, meanings = classify(zone, answer.records)
    reason = await _txt_reason(resolver, query) if state == "listed" else ()
    return Lookup(ip, query, state, answer.records, meanings, reason=reason)


async def _txt_reason(resolver: Resolver, query: str) -> tuple[str, ...]:
    """RFC 5782 §2.1: the TXT record may say why; missing or failing TXT is not an error."""
    try:
        answer = await resolver.resolve(query, RRType.TXT)
    except DnsError:
        return ()
    return tuple(text[:300] for text in answer.records[:3])


def classify(zone: DnsblZone, answers: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """Listed, refused (documented refusal code) or rewritten (an answer outside 127/8)."""
    outside = [a for a in answers if not _in_loopback(a)]
    if outside:
        return "rewritten", (
            f"{', '.join(outside)} is outside 127.0.0.0/8: a resolver is rewriting answers "
            "(captive portal, ad or NXDOMAIN redirect, DNS filter); the list was not asked",
        )
    codes = [zone.code_for(ipaddress.IPv4Address(a)) for a in answers]
    refusals = [c.meaning for c in codes if c is not None and c.refusal]
    if refusals:
        return "refused", tuple(dict.fromkeys(refusals))
    meanings = [
        c.meaning if c is not None else f"return code {a} (not documented in the rules)"
        for a, c in zip(answers, codes, strict=True)
    ]
    return "listed", tuple(dict.fromkeys(meanings))


def _in_loopback(text: str) -> bool:
    try:
        return ipaddress.IPv4Address(text) in LOOPBACK_NET
    except ValueError:
        return False
