"""Facts of the ``dnsbl`` check: each list's self-test and the lookup of every sender IP."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class Lookup:
    """One DNSBL query and its classification."""

    ip: str
    query: str
    state: str  # "listed", "clear", "refused", "rewritten", "error", "no-ipv6"
    answers: tuple[str, ...] = ()
    meanings: tuple[str, ...] = ()
    error: str = ""
    reason: tuple[str, ...] = ()  # the list's TXT for a listing (often a delisting URL)


@dataclass(frozen=True)
class ZoneFacts:
    """A list's self-test and, when it passed, the lookups of every IP."""

    zone: str
    operator: str
    usage: str
    url: str
    self_test: str  # "ok", "failed", "refused", "rewritten", "error"
    self_test_detail: tuple[str, ...] = ()
    lookups: tuple[Lookup, ...] = ()


@dataclass(frozen=True)
class DnsblFacts(Facts):
    """Blocklist facts for the profile's documented IPs."""

    profile_id: str
    ips: tuple[str, ...]
    zones: tuple[ZoneFacts, ...] = ()
