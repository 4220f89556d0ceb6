"""DNSBL zones as data: load and strictly validate ``rules/dnsbl.toml`` (kind ``dnsbl-zones``).

Each zone names its operator, its usage terms and what each return code means. Codes marked
``refusal`` (Spamhaus' 127.255.255.x) are the list refusing to answer, never a listing.
Format: ``rules/README.md``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from mailcheck.rulefiles.loader import (
    Problems,
    RulesDocument,
    Table,
    builtin_rules_dir,
    check_header,
    read_rules_file,
)
from mailcheck.rulefiles.profiles import normalize_domain

KIND = "dnsbl-zones"
FORMAT_VERSION = 1
LOOPBACK_NET = ipaddress.IPv4Network("127.0.0.0/8")  # RFC 5782 §2.1: answers live here


@dataclass(frozen=True)
class ReturnCode:
    """What an A answer (or a range of them) from the list means."""

    network: ipaddress.IPv4Network
    meaning: str
    refusal: bool = False  # the list refuses or errs: an ERROR finding, never "listed"


@dataclass(frozen=True)
class DnsblZone:
    """One DNS blocklist."""

    zone: str
    operator: str
    url: str
    usage: str
    ipv6: bool
    codes: tuple[ReturnCode, ...] = ()

    def code_for(self, answer: ipaddress.IPv4Address) -> ReturnCode | None:
        """The most specific documented code covering ``answer``."""
        hits = [c for c in self.codes if answer in c.network]
        return max(hits, key=lambda c: c.network.prefixlen, default=None)


@dataclass(frozen=True)
class DnsblRules:
    """The validated zones of one rules file, pinned by SHA-256."""

    zones: tuple[DnsblZone, ...]
    source: str = ""
    sha256: str = ""


def default_path() -> Path:
    """The shipped ``dnsbl.toml``."""
    return builtin_rules_dir() / "dnsbl.toml"


def load_dnsbl_rules(path: Path | None = None) -> DnsblRules:
    """Load and validate a DNSBL rules file (the shipped one by default)."""
    return rules_from_document(read_rules_file(path or default_path()))


def rules_from_document(document: RulesDocument) -> DnsblRules:
    """Validate a parsed rules file as DNSBL zones; all problems raise together."""
    problems = Problems(document.path)
    root = Table(document.data, "", problems)
    check_header(root, KIND, FORMAT_VERSION)
    zones = tuple(_zone(t) for t in root.tables("zones", required=True))
    root.finish()
    seen: set[str] = set()
    for index, zone in enumerate(zones):
        if zone.zone and zone.zone in seen:
            problems.add(f"zones[{index}].zone", f"duplicates {zone.zone}")
        seen.add(zone.zone)
    problems.raise_if_any()
    return DnsblRules(zones, str(document.path), document.sha256)


def _zone(table: Table) -> DnsblZone:
    raw = table.text("zone")
    zone = normalize_domain(raw) if raw else ""
    if raw and not zone:
        table.problem("zone", f"{raw!r} is not a valid domain name")
    url = table.text("url")
    if url and not url.startswith("https://"):
        table.problem("url", "must be an https:// URL")
    item = DnsblZone(
        zone=zone or "",
        operator=table.text("operator"),
        url=url,
        usage=table.text("usage"),
        ipv6=table.boolean("ipv6", default=False),
        codes=tuple(c for c in (_code(t) for t in table.tables("codes", required=True)) if c),
    )
    table.finish()
    return item


def _code(table: Table) -> ReturnCode | None:
    raw = table.text("answer")
    meaning = table.text("meaning")
    refusal = table.boolean("refusal", default=False)
    table.finish()
    try:
        network = ipaddress.IPv4Network(raw, strict=True)
    except ValueError:
        table.problem("answer", f"{raw!r} is not an IPv4 address or network (host bits zero)")
        return None
    if not network.subnet_of(LOOPBACK_NET):
        table.problem("answer", "DNSBL return codes must lie in 127.0.0.0/8 (RFC 5782 §2.1)")
        return None
    return ReturnCode(network, meaning, refusal)
