"""Zones for the loopback nameserver: loading zone files, building zones from records, and
the name keys and TXT quoting shared with the tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.zone

ZONES_DIR = Path(__file__).parent.parent / "data" / "zones"
SYNTHETIC_TTL = 300
_SYNTHETIC_SOA = "ns.nameserver.invalid. hostmaster.nameserver.invalid. 1 3600 600 86400 300"
_SYNTHETIC_NS = "ns.nameserver.invalid."


def name_key(name: str | dns.name.Name) -> str:
    """The key for faults and counters: lower-case name text without the trailing dot."""
    if isinstance(name, str):
        name = dns.name.from_text(name)
    return name.canonicalize().to_text(omit_final_dot=True)


def quote_txt(*strings: bytes | str) -> str:
    """TXT rdata text for ``zones_from_records`` holding ``strings`` exactly (str as UTF-8)."""
    return " ".join(f'"{_escape(s.encode() if isinstance(s, str) else s)}"' for s in strings)


def _escape(data: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\{b:03d}" for b in data)


@dataclass(frozen=True)
class ZoneSet:
    """Zones to serve, plus names that never get any reply (the conformance suites' TIMEOUT)."""

    zones: tuple[dns.zone.Zone, ...]
    silent: frozenset[dns.name.Name] = frozenset()


def load_zones(directory: Path = ZONES_DIR) -> ZoneSet:
    """Read ``DIR/*.zone``; the origin is the file name without ``.zone``."""
    zones = []
    for path in sorted(directory.glob("*.zone")):
        origin = dns.name.from_text(path.name.removesuffix(".zone"))
        zones.append(dns.zone.from_file(str(path), origin=origin, relativize=False))
    return ZoneSet(tuple(zones))


def zones_from_records(records: Mapping[str, Iterable[tuple[str, str]]]) -> ZoneSet:
    """One catch-all root zone from ``{owner: [(rdtype, rdata text), ...]}``.

    Every name is authoritative; names absent from the mapping are NXDOMAIN. The pseudo-type
    ``TIMEOUT`` makes its owner silent. There are no delegations: NS below the root is data.
    """
    zone = dns.zone.Zone(dns.name.root, relativize=False)
    silent = set()
    for owner_text, pairs in records.items():
        owner = dns.name.from_text(owner_text)
        for rdtype, text in pairs:
            if rdtype.upper() == "TIMEOUT":
                silent.add(owner)
            else:
                _add_record(zone, owner, rdtype, text)
    for rdtype, text in (("SOA", _SYNTHETIC_SOA), ("NS", _SYNTHETIC_NS)):
        if zone.get_rdataset(dns.name.root, rdtype) is None:
            _add_record(zone, dns.name.root, rdtype, text)
    return ZoneSet((zone,), frozenset(silent))


def with_root(zones: ZoneSet) -> ZoneSet:
    """``zones`` plus an empty root zone: names outside them are NXDOMAIN, as on the Internet
    (e.g. ``_dmarc.com``), instead of REFUSED."""
    return ZoneSet(zones.zones + zones_from_records({}).zones, zones.silent)


def _add_record(zone: dns.zone.Zone, owner: dns.name.Name, rdtype: str, text: str) -> None:
    rdata = dns.rdata.from_text(
        dns.rdataclass.IN, rdtype, text, origin=dns.name.root, relativize=False
    )
    rdataset = zone.find_rdataset(owner, rdata.rdtype, rdata.covers(), create=True)
    rdataset.add(rdata, SYNTHETIC_TTL)
