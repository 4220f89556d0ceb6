"""The resolver seam: what every check may ask of DNS, with nothing dnspython-shaped in it.

Data outcomes (an answer, NXDOMAIN, no data) are ``Answer`` values. A lookup that could not
complete raises ``DnsError`` (``DnsTimeoutError``, ``DnsServerError``): a timeout or SERVFAIL
is never a missing record.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class RRType(StrEnum):
    """Record types mailcheck asks for; the value is the DNS mnemonic."""

    A = "A"
    AAAA = "AAAA"
    CNAME = "CNAME"
    MX = "MX"
    NS = "NS"
    PTR = "PTR"
    SOA = "SOA"
    SPF = "SPF"
    TLSA = "TLSA"
    TXT = "TXT"


class Outcome(StrEnum):
    """The three data outcomes of a completed lookup."""

    ANSWER = "answer"
    NXDOMAIN = "nxdomain"  # the name does not exist
    NODATA = "nodata"  # the name exists, but has no record of this type


@dataclass(frozen=True)
class Answer:
    """A completed lookup.

    ``records`` are in a fixed text form per type, so snapshots read well and compare exactly:
    A/AAAA the address; MX ``"<preference> <exchange>"``; TXT/SPF the strings of one record
    joined and decoded as UTF-8 with replacement; CNAME/NS/PTR the target; TLSA
    ``"<usage> <selector> <mtype> <hex>"``; SOA dnspython's text. Names are lower-case
    without the trailing dot. ``cnames`` lists the aliases followed to reach the answer.
    """

    name: str
    rrtype: RRType
    outcome: Outcome
    records: tuple[str, ...] = ()
    ttl: int = 0
    cnames: tuple[str, ...] = ()
    server: str = ""
    # TXT only, and only when some record has several character-strings (RFC 1035 §3.3.14):
    # each record's strings, in the order of ``records``; they show where a record is split.
    strings: tuple[tuple[str, ...], ...] = ()

    @property
    def exists(self) -> bool:
        """False only for NXDOMAIN."""
        return self.outcome is not Outcome.NXDOMAIN

    @property
    def canonical_name(self) -> str:
        """The name the records really belong to, after following CNAMEs."""
        return self.cnames[-1] if self.cnames else self.name


@dataclass(frozen=True)
class MxRecord:
    """One MX record: lower preference is tried first."""

    preference: int
    exchange: str

    @classmethod
    def from_text(cls, text: str) -> MxRecord:
        """Parse the ``Answer.records`` form ``"10 mx.example.com"``."""
        preference, _, exchange = text.partition(" ")
        return cls(int(preference), exchange)


class Resolver(Protocol):
    """Asynchronous DNS lookups. One instance serves a whole run, so its cache is shared."""

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """Look ``name`` up; return the data outcome or raise ``DnsError``."""
        ...


def normalize_name(name: str) -> str:
    """Lower-case a domain name and drop the trailing dot: the key used everywhere."""
    return name.strip().rstrip(".").lower()
