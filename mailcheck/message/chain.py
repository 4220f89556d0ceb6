"""Order the Received hops, measure the delays, and find where the message entered the org.

Received fields are prepended, so the top one is the newest. Walking from the top, hops whose
client is internal (private address, the org's own networks or hosts, the filter's relays, or
no address at all) are inside; the first hop from an outside address is the entry hop. What
sits below it was written before the organisation saw the message and can be forged.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.message.org import OrgContext
from mailcheck.message.received import ReceivedHop


@dataclass(frozen=True)
class Hop:
    """One hop in time order, with the delay since the previous hop (seconds)."""

    received: ReceivedHop
    delay: float | None = None  # None: a date is missing; negative: clocks disagree


@dataclass(frozen=True)
class Chain:
    """The hops oldest first, and which one is the entry into the organisation."""

    hops: tuple[Hop, ...]
    entry: int | None = None  # index into ``hops``
    entry_certain: bool = False  # False: no --org-domain/networks, or the org never saw it

    @property
    def entry_hop(self) -> ReceivedHop | None:
        """The entry hop's Received data, if one was found."""
        return self.hops[self.entry].received if self.entry is not None else None

    @property
    def total_delay(self) -> float | None:
        """Seconds from the oldest dated hop to the newest, if both have dates."""
        dated = [h.received.date for h in self.hops if h.received.date is not None]
        return (dated[-1] - dated[0]).total_seconds() if len(dated) > 1 else None


def build_chain(newest_first: tuple[ReceivedHop, ...], org: OrgContext) -> Chain:
    """Time-order the hops and locate the entry hop."""
    oldest_first = tuple(reversed(newest_first))
    hops = tuple(Hop(r, _delay(oldest_first, i)) for i, r in enumerate(oldest_first))
    found = _entry_from_top(newest_first, org)
    if found is None:
        return Chain(hops)
    index = len(newest_first) - 1 - found
    entry = newest_first[found]
    certain = org.known and (
        org.is_org_host(entry.by_host)
        or org.is_filter_host(entry.by_host)
        or _seen_inside(newest_first[:found], org)
        or found == 0
    )
    return Chain(hops, index, certain)


def is_inside(hop: ReceivedHop, org: OrgContext) -> bool:
    """The client of this hop is part of the organisation (or the hop has no client IP).

    A client's HELO name is its own claim, so it only counts for a filter provider's relay
    talking to another of its relays from the provider's own internal networks (Microsoft
    writes no rDNS on internal hops); the provider's front door (its MX names) receives from
    the world and never vouches for a HELO.
    """
    if hop.ambiguous:
        return False  # the client's claims could not be told apart: the org stops here
    if hop.from_ip is None:
        return True  # local submission, or a provider's internal hop written without one
    if org.is_internal_ip(hop.ip) or org.is_org_host(hop.from_rdns):
        return True
    provider = org.provider
    if provider is None:
        return False
    return (
        provider.is_relay(hop.by_host)
        and not provider.is_front_door(hop.by_host)
        and provider.is_relay(hop.from_host)
        and provider.is_internal_address(hop.from_ip)
    )


def _entry_from_top(newest_first: tuple[ReceivedHop, ...], org: OrgContext) -> int | None:
    for index, hop in enumerate(newest_first):
        if not is_inside(hop, org):
            return index
    return None


def _seen_inside(above: tuple[ReceivedHop, ...], org: OrgContext) -> bool:
    return any(org.is_org_host(h.by_host) for h in above)


def _delay(oldest_first: tuple[ReceivedHop, ...], index: int) -> float | None:
    if index == 0:
        return None
    now, before = oldest_first[index].date, oldest_first[index - 1].date
    if now is None or before is None:
        return None
    return (now - before).total_seconds()
