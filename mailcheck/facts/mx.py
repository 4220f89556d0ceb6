"""Facts of the ``mx`` check (the MX set and what each host's name resolves to) and of the
``mx-hygiene`` check (the class of every MX address, the hosts with IPv6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class MxHost:
    """One MX target and what its name resolves to."""

    exchange: str
    preference: int
    addresses: tuple[str, ...] = ()
    cnames: tuple[str, ...] = ()
    error: str = ""  # an address lookup that could not complete


@dataclass(frozen=True)
class MxFacts(Facts):
    """What DNS says about where the domain's mail goes."""

    domain: str
    state: str  # "mx", "null", "implicit", "none", "nxdomain", "error"
    records: tuple[str, ...] = ()
    hosts: tuple[MxHost, ...] = ()
    error: str = ""
    truncated: int = 0  # MX hosts left out beyond MAX_MX_HOSTS (checks/mx.py)


@dataclass(frozen=True)
class MxHygieneFacts(Facts):
    """Every MX address classified (``checks.mx_hygiene.address_class``), and the IPv6 hosts."""

    domain: str
    address_classes: Mapping[str, Mapping[str, str]]  # exchange -> address -> class
    ipv6_hosts: tuple[str, ...] = ()
