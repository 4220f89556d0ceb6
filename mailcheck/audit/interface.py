"""The audit seam: one reader per allowlist format, each turning text into ``AllowlistEntry``s.

A reader never decides whether an entry is safe (``audit.classify`` does); it only says what
the entry admits (an IP/network, an address, ``*@domain`` or a bare domain) and whether the
format ties it to an authentication result (SPF/DKIM/DMARC, or the relay's verified name).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class EntryKind(StrEnum):
    """What an allowlist entry matches."""

    NETWORK = "network"  # a connecting IP or range
    ADDRESS = "address"  # one sender address
    WILDCARD = "wildcard"  # any address at one domain (``*@domain``, ``@domain``)
    DOMAIN = "domain"  # a domain and, in most filters, its subdomains


@dataclass(frozen=True)
class AllowlistEntry:
    """One entry as a filter would read it, and where it stands in the file."""

    source: str  # file name
    line: int
    text: str  # the line (or CSV row) as written, for the reader's eye
    kind: EntryKind
    value: str  # lower-case address/domain, or the network in CIDR form
    authenticated: bool  # the filter allows it only with an authentication result

    @property
    def network(self) -> Network | None:
        """The entry's network (NETWORK entries only)."""
        return ipaddress.ip_network(self.value) if self.kind is EntryKind.NETWORK else None

    @property
    def domain(self) -> str:
        """The domain an address, wildcard or domain entry names ("" for networks)."""
        return "" if self.kind is EntryKind.NETWORK else self.value.rpartition("@")[2]


@dataclass(frozen=True)
class Unreadable:
    """A line that looks like an entry of the format but cannot be read as one."""

    source: str
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class ReadResult:
    """What one reader made of one file."""

    entries: tuple[AllowlistEntry, ...]
    unreadable: tuple[Unreadable, ...] = ()


class AllowlistReader(Protocol):
    """One allowlist format."""

    name: str  # the ``--filter`` spelling
    product: str

    def read(self, source: str, text: str) -> ReadResult:
        """Every allow entry in ``text`` (block/reject entries are not allowlist entries)."""
        ...
