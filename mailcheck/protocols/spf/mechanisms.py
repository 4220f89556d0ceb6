"""Whether one non-include mechanism matches the client (RFC 7208 §5.1 - §5.7)."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.dns.interface import Resolver, RRType
from mailcheck.protocols.spf import lookups
from mailcheck.protocols.spf.lookups import Budget
from mailcheck.protocols.spf.macro import IpAddress
from mailcheck.protocols.spf.record import Mechanism


@dataclass(frozen=True)
class MechanismOutcome:
    """Whether the mechanism matched, and what DNS said (for the trace)."""

    matched: bool
    note: str = ""


async def match_mechanism(
    resolver: Resolver, budget: Budget, mechanism: Mechanism, target: str, ip: IpAddress
) -> MechanismOutcome:
    """Evaluate ``mechanism`` for ``ip``; ``target`` is its expanded domain (if it has one)."""
    match mechanism.name:
        case "all":
            return MechanismOutcome(True, "matches every client")
        case "ip4" | "ip6":
            assert mechanism.network is not None
            inside = ip.version == mechanism.network.version and ip in mechanism.network
            return MechanismOutcome(
                inside, f"{ip} {'in' if inside else 'not in'} {mechanism.network}"
            )
        case "a":
            return await _a(resolver, budget, mechanism, target, ip)
        case "mx":
            return await _mx(resolver, budget, mechanism, target, ip)
        case "ptr":
            return await _ptr(resolver, budget, mechanism, target, ip)
        case "exists":
            return await _exists(resolver, budget, mechanism, target)
    raise lookups.SpfPermError(f"mechanism {mechanism.text!r} cannot be evaluated here")


async def _a(
    resolver: Resolver, budget: Budget, mechanism: Mechanism, target: str, ip: IpAddress
) -> MechanismOutcome:
    """§5.3: the address records of the target, of the client's family, with CIDR."""
    rrtype = lookups.address_type(ip)
    answer = await lookups.lookup(resolver, target, rrtype)
    if lookups.is_void(answer):
        budget.void(mechanism.text)
        return MechanismOutcome(False, f"{target} has no {rrtype} record (void lookup)")
    addresses = lookups.parse_addresses(answer)
    matched = lookups.in_network(ip, addresses, mechanism.cidr4, mechanism.cidr6)
    return MechanismOutcome(matched, f"{rrtype} {', '.join(answer.records)}")


async def _mx(
    resolver: Resolver, budget: Budget, mechanism: Mechanism, target: str, ip: IpAddress
) -> MechanismOutcome:
    """§5.4: the addresses of every MX host of the target (at most 10 MX records)."""
    answer, hosts = await lookups.mx_hosts(resolver, target)
    if lookups.is_void(answer):
        budget.void(mechanism.text)
        return MechanismOutcome(False, f"{target} has no MX record (void lookup)")
    addresses = await lookups.host_addresses(resolver, hosts, lookups.address_type(ip))
    matched = lookups.in_network(ip, addresses, mechanism.cidr4, mechanism.cidr6)
    listed = ", ".join(str(a) for a in addresses) or "no addresses"
    return MechanismOutcome(matched, f"MX {', '.join(hosts) or '(null MX)'}: {listed}")


async def _ptr(
    resolver: Resolver, budget: Budget, mechanism: Mechanism, target: str, ip: IpAddress
) -> MechanismOutcome:
    """§5.5: a validated PTR name of the client equal to or under the target."""
    answer, names = await lookups.validated_names(resolver, ip)
    if lookups.is_void(answer):
        budget.void(mechanism.text)
    hit = next((n for n in names if lookups.is_subdomain(n, target)), "")
    if answer is None:
        return MechanismOutcome(False, f"PTR lookup for {ip} failed: no match (§5.5)")
    shown = ", ".join(names) or "none"
    return MechanismOutcome(bool(hit), f"validated PTR names: {shown}")


async def _exists(
    resolver: Resolver, budget: Budget, mechanism: Mechanism, target: str
) -> MechanismOutcome:
    """§5.7: any A record at the target matches (A even for IPv6 clients)."""
    answer = await lookups.lookup(resolver, target, RRType.A)
    if lookups.is_void(answer):
        budget.void(mechanism.text)
        return MechanismOutcome(False, f"{target} has no A record (void lookup)")
    return MechanismOutcome(True, f"A {', '.join(answer.records)}")
