"""Facts of the ``sender-dmarc`` check: each sender domain's DMARC (RFC 9989) and, per
address, how DMARC can pass; plus the fixes for the sender's postmaster."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts
from mailcheck.facts.sender_fixes import SenderFix
from mailcheck.protocols.dmarc import PolicyResult, Prediction, TreeWalk


@dataclass(frozen=True)
class Destination:
    """One external report destination and whether it has authorised the reports."""

    tag: str  # rua / ruf
    uri: str
    domain: str  # destination host ("" for a non-mailto URI: not checked)
    query: str  # <policy-domain>._report._dmarc.<domain>
    state: str  # "authorised", "not-authorised", "error", "not-mailto"
    detail: str = ""


@dataclass(frozen=True)
class DomainDmarc:
    """DMARC facts of one sender domain."""

    domain: str
    exists: bool | None  # None: the existence lookups failed
    result: PolicyResult
    walk: TreeWalk
    destinations: tuple[Destination, ...] = ()  # external rua/ruf (RFC 7489 §7.1)


@dataclass(frozen=True)
class SenderDmarcFacts(Facts):
    """What DNS says about the DMARC of every sender domain, and the per-address prediction."""

    profile_id: str
    envelope_domains: tuple[str, ...]
    dkim_domains: tuple[str, ...]
    domains: tuple[DomainDmarc, ...] = ()
    predictions: tuple[Prediction, ...] = ()
    sender_fixes: tuple[SenderFix, ...] = ()  # what the sender's postmaster should change
