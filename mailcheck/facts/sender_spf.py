"""Facts of the ``sender-spf`` check: each sender domain's live SPF, its verdict for every
listed IP (with the ``check_host()`` trace), the record's shape and the sender's fixes."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.idn import display_domain
from mailcheck.base.model import Facts
from mailcheck.facts.sender_fixes import SenderFix
from mailcheck.protocols.spf.trace import RecordTrace as RecordTrace  # renderers take it from here


@dataclass(frozen=True)
class Unreached:
    """A network a ``pass`` term names that no client gets, and why."""

    network: str
    via: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class RecordShape:
    """What the record costs and where ``check_host()`` stops, for a client matching nothing."""

    lookups: int = 0
    void_lookups: int = 0
    counted: tuple[str, ...] = ()  # the DNS-querying terms, "domain: term", in order
    cut: str = ""  # where the evaluation stops with an error
    cut_reason: str = ""
    at_least: bool = False  # a macro include was counted as one term
    unreachable: tuple[Unreached, ...] = ()
    ignored_redirects: tuple[str, ...] = ()  # "domain: redirect=..."
    # (domain, octets, how its TXT strings split) for every record above MAX_OCTETS
    long_records: tuple[tuple[str, int, str], ...] = ()
    candidates: tuple[str, ...] = ()  # several v=spf1 records at the top domain
    merged: str = ""
    merged_lookups: int = 0
    merge_notes: tuple[str, ...] = ()
    flattened: str = ""  # the record with includes replaced by their networks ("" = unsafe)


@dataclass(frozen=True)
class IpVerdict:
    """``check_host()`` for one listed IP at one domain."""

    ip: str
    result: str  # an SpfResult value
    matched: str = ""  # "domain: term" steps to the deciding term
    reason: str = ""
    trace: RecordTrace | None = None  # the check_host() evaluation, every term


@dataclass(frozen=True)
class Authorized:
    """A network the live SPF gives ``pass``, and the include chain that says so."""

    network: str
    via: tuple[str, ...]


@dataclass(frozen=True)
class DomainSpf:
    """What the live SPF of one sender or envelope domain says."""

    domain: str
    role: str  # "sender" or "envelope"
    environment: str  # production / staging / "" for envelope domains
    record: str = ""
    error: str = ""  # the expansion's error: no record, syntax, lookup failure
    temporary: bool = False
    ending: str = ""  # qualifier of the top-level all
    authorized: tuple[Authorized, ...] = ()
    unexpandable: tuple[tuple[str, str], ...] = ()
    verdicts: tuple[IpVerdict, ...] = ()
    shape: RecordShape = RecordShape()

    @property
    def shown(self) -> str:
        """The domain as a person reads it: U-label and A-label for an IDN."""
        return display_domain(self.domain)


@dataclass(frozen=True)
class SenderSpfFacts(Facts):
    """The whole matrix for one profile."""

    profile: str
    listed: tuple[str, ...]  # single IPs the profile lists (checked with check_host)
    networks: tuple[tuple[str, bool], ...]  # every profile network and whether documented
    domains: tuple[DomainSpf, ...] = ()
    sender_fixes: tuple[SenderFix, ...] = ()  # what the sender's postmaster should change
