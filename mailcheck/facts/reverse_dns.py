"""Facts of the ``reverse-dns`` check: PTR names of each documented IP and their forward lookups."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class PtrHost:
    """One PTR target and the addresses it resolves to (A for IPv4, AAAA for IPv6)."""

    name: str
    addresses: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class IpReverse:
    """Reverse DNS facts of one IP."""

    ip: str
    reverse_name: str
    state: str  # "ptr", "none" (NXDOMAIN/NODATA), "error"
    hosts: tuple[PtrHost, ...] = ()
    error: str = ""
    truncated: int = 0

    @property
    def confirmed(self) -> tuple[str, ...]:
        """PTR names whose forward lookup contains the IP (forward-confirmed)."""
        wanted = ipaddress.ip_address(self.ip)
        return tuple(h.name for h in self.hosts if any(_same(a, wanted) for a in h.addresses))


@dataclass(frozen=True)
class ReverseDnsFacts(Facts):
    """Reverse DNS of every documented IP of the profile."""

    profile_id: str
    ips: tuple[IpReverse, ...] = ()


def _same(text: str, wanted: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    try:
        return ipaddress.ip_address(text) == wanted
    except ValueError:
        return False
