"""The DNS side of SPF mechanisms (RFC 7208 §4.6.4, §5): budgets, address, MX and PTR lookups.

A lookup that cannot complete raises ``SpfTempError`` (a temperror, never a non-match), except
where §5.5 says PTR trouble is simply a non-match. Limits raise ``SpfPermError``.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass

from mailcheck.base.errors import DnsError
from mailcheck.dns.interface import Answer, MxRecord, Outcome, Resolver, RRType
from mailcheck.protocols.spf.macro import IpAddress

MAX_DNS_LOOKUPS = 10  # §4.6.4: include, a, mx, ptr, exists, redirect
MAX_VOID_LOOKUPS = 2  # §4.6.4: lookups answering NXDOMAIN or no records
MAX_MX_NAMES = 10  # §4.6.4: more MX records than this is a permerror
MAX_PTR_NAMES = 10  # §4.6.4: PTR names beyond this are ignored
MAX_NAME = 253


class SpfPermError(Exception):
    """Internal signal: the evaluation ends in permerror for ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SpfTempError(Exception):
    """Internal signal: a lookup could not complete, the evaluation ends in temperror."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Budget:
    """The lookup counters shared by one ``check_host()`` call and all its nested records."""

    lookups: int = 0
    void_lookups: int = 0

    def spend(self, term: str) -> None:
        """Count one DNS-lookup term; the 11th is a permerror."""
        self.lookups += 1
        if self.lookups > MAX_DNS_LOOKUPS:
            raise SpfPermError(
                f"{term}: more than {MAX_DNS_LOOKUPS} DNS-lookup terms (RFC 7208 §4.6.4)"
            )

    def void(self, term: str) -> None:
        """Count one void lookup; the third is a permerror."""
        self.void_lookups += 1
        if self.void_lookups > MAX_VOID_LOOKUPS:
            raise SpfPermError(f"{term}: more than {MAX_VOID_LOOKUPS} void lookups (§4.6.4)")


def check_name(name: str) -> str:
    """A lookup name after macro expansion, or ``SpfPermError`` when DNS cannot carry it."""
    name = name.removesuffix(".")
    labels = name.split(".")
    if not name or len(name) > MAX_NAME or any(not 0 < len(label) < 64 for label in labels):
        raise SpfPermError(f"{name[:80]!r} is not a valid domain name")
    return name.lower()


async def lookup(resolver: Resolver, name: str, rrtype: RRType) -> Answer:
    """Resolve, turning a lookup that could not complete into a temperror."""
    try:
        return await resolver.resolve(name, rrtype)
    except DnsError as exc:
        raise SpfTempError(str(exc)) from exc


def address_type(ip: IpAddress) -> RRType:
    """§5.3: A for an IPv4 client, AAAA for IPv6."""
    return RRType.A if ip.version == 4 else RRType.AAAA


def parse_addresses(answer: Answer) -> tuple[IpAddress, ...]:
    """The addresses of an A/AAAA answer (anything unparsable is skipped)."""
    out: list[IpAddress] = []
    for text in answer.records:
        try:
            out.append(ipaddress.ip_address(text))
        except ValueError:
            continue
    return tuple(out)


def in_network(ip: IpAddress, addresses: tuple[IpAddress, ...], cidr4: int, cidr6: int) -> bool:
    """True when ``ip`` is inside the /cidr network of any of ``addresses`` (§5.6)."""
    prefix = cidr4 if ip.version == 4 else cidr6
    for address in addresses:
        if address.version == ip.version:
            if ip in ipaddress.ip_network(f"{address}/{prefix}", strict=False):
                return True
    return False


async def mx_hosts(resolver: Resolver, name: str) -> tuple[Answer, tuple[str, ...]]:
    """The MX answer and its exchange names; more than 10 records is a permerror (§4.6.4)."""
    answer = await lookup(resolver, name, RRType.MX)
    if len(answer.records) > MAX_MX_NAMES:
        raise SpfPermError(f"{name} has {len(answer.records)} MX records (limit {MAX_MX_NAMES})")
    names = [MxRecord.from_text(r).exchange for r in answer.records]
    return answer, tuple(n for n in names if n and n != ".")  # a null MX names no host


async def host_addresses(
    resolver: Resolver, names: tuple[str, ...], rrtype: RRType
) -> tuple[IpAddress, ...]:
    """All addresses of several hosts, looked up concurrently."""
    answers = await asyncio.gather(*(lookup(resolver, n, rrtype) for n in names))
    return tuple(a for answer in answers for a in parse_addresses(answer))


async def validated_names(
    resolver: Resolver, ip: IpAddress
) -> tuple[Answer | None, tuple[str, ...]]:
    """§5.5: PTR names of ``ip`` whose own addresses include ``ip``, at most the first 10.

    A failed PTR lookup gives no names; a failed address lookup skips that name.
    """
    try:
        answer = await resolver.resolve(ip.reverse_pointer, RRType.PTR)
    except DnsError:
        return None, ()
    names = answer.records[:MAX_PTR_NAMES]
    checks = await asyncio.gather(*(_confirms(resolver, n, ip) for n in names))
    return answer, tuple(n for n, ok in zip(names, checks, strict=True) if ok)


async def _confirms(resolver: Resolver, name: str, ip: IpAddress) -> bool:
    try:
        answer = await resolver.resolve(name, address_type(ip))
    except DnsError:
        return False
    return ip in parse_addresses(answer)


def is_void(answer: Answer | None) -> bool:
    """§4.6.4: NXDOMAIN, or an answer with no records."""
    return answer is not None and (answer.outcome is not Outcome.ANSWER or not answer.records)


def is_subdomain(name: str, parent: str) -> bool:
    """True when ``name`` equals ``parent`` or ends in ``.parent`` (case-insensitive)."""
    name, parent = name.lower().rstrip("."), parent.lower().rstrip(".")
    return name == parent or name.endswith("." + parent)
