"""The synthetic world of ``benchmarks/bulk.py``: company domains with realistic shares, served
by the loopback test nameserver in a child process that counts every query.

Shares: Microsoft 365 40 %, Google 30 %, Proofpoint 10 %, Mimecast 8 %, self-hosted 12 %. Each
domain's SPF includes a provider chain 1 to 4 deep; every fifth domain is a subdomain whose
DMARC record sits at its organisational domain; a tenth of the self-hosted MX names are CNAMEs;
2 % of the domains never answer and 1 % answer SERVFAIL (whole subtrees). The profile's sender
zones are tests/data/zones/.

    python benchmarks/bulk_world.py --domains 1000 --delay-ms 20   # child: prints PORT <n>
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdata  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.zone  # noqa: E402

from tests.nameserver import LoopbackNameserver  # noqa: E402
from tests.nameserver.faults import Transport  # noqa: E402
from tests.nameserver.zones import ZoneSet, load_zones, quote_txt, zones_from_records  # noqa: E402

SHARES = (("m365", 40), ("google", 30), ("proofpoint", 10), ("mimecast", 8), ("self", 12))
SPF_BASE = "spf.bench-providers.example"
TTL = 300


@dataclass(frozen=True)
class World:
    """The domains to check, and which of them misbehave."""

    domains: tuple[str, ...]
    records: dict[str, list[tuple[str, str]]]
    silent: frozenset[str]
    servfail: frozenset[str]


def build(n: int) -> World:
    """``n`` company domains; the same ``n`` always gives the same world."""
    kinds = [kind for kind, share in SHARES for _ in range(share)]
    records: dict[str, list[tuple[str, str]]] = {}
    for kind, _ in SHARES:
        _spf_chain(records, kind)
    domains, silent, servfail = [], set(), set()
    for i in range(n):
        org = f"co{i:05d}.example"
        domain = f"eu.{org}" if i % 5 == 4 else org  # DMARC at the organisational domain
        kind = kinds[(i * 37) % len(kinds)]
        _company(records, domain, org, kind, i)
        domains.append(domain)
        if i % 50 == 7:
            silent.add(org)
        elif i % 100 == 13:
            servfail.add(org)
    return World(tuple(domains), records, frozenset(silent), frozenset(servfail))


def _spf_chain(records: dict[str, list[tuple[str, str]]], kind: str) -> None:
    """``d1.<kind>`` … ``d4.<kind>``: include chains 1 to 4 deep ending in address ranges."""
    for depth in range(1, 5):
        name = f"d{depth}.{kind}.{SPF_BASE}."
        nxt = f"include:d{depth - 1}.{kind}.{SPF_BASE}" if depth > 1 else "ip4:203.0.113.0/24"
        records[name] = [("TXT", quote_txt(f"v=spf1 {nxt} ~all"))]


def _company(
    records: dict[str, list[tuple[str, str]]], domain: str, org: str, kind: str, i: int
) -> None:
    label = domain.replace(".", "-")
    octet = i % 250 + 1
    match kind:
        case "m365":
            mx = f"{label}.mail.protection.outlook.com."
            records[mx] = [("A", f"52.101.{i % 200}.{octet}")]
        case "google":
            mx = "aspmx.l.google.com."
        case "proofpoint":
            mx = f"mx0a-{label}.pphosted.com."
            records[mx] = [("A", f"148.163.{i % 200}.{octet}")]
        case "mimecast":
            mx = "eu-smtp-inbound-1.mimecast.com."
        case _:
            mx = f"mx.{domain}."
            if i % 10 == 3:  # an MX name that is an alias
                records[mx] = [("CNAME", f"mail.{domain}.")]
                records[f"mail.{domain}."] = [("A", f"198.51.100.{octet}")]
            else:
                records[mx] = [("A", f"198.51.100.{octet}")]
    depth = i % 4 + 1
    spf = f"v=spf1 include:d{depth}.{kind}.{SPF_BASE} -all"
    records[f"{domain}."] = [("MX", f"10 {mx}"), ("TXT", quote_txt(spf))]
    records[f"_dmarc.{org}."] = [
        ("TXT", quote_txt("v=DMARC1; p=quarantine; rua=mailto:d@x.example"))
    ]


def zone_set(world: World) -> ZoneSet:
    """The sender zones of tests/data/zones plus the world; a name under one of the loaded
    zones is added to that zone (the longest origin answers), the rest to a catch-all root."""
    loaded = load_zones()
    by_origin = {zone.origin: zone for zone in loaded.zones}
    rest: dict[str, list[tuple[str, str]]] = {}
    for owner, pairs in world.records.items():
        zone = _zone_for(dns.name.from_text(owner), by_origin)
        if zone is None:
            rest[owner] = pairs
            continue
        for rdtype, text in pairs:
            rdata = dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=dns.name.root)
            node = zone.find_rdataset(dns.name.from_text(owner), rdata.rdtype, create=True)
            node.add(rdata, TTL)
    return ZoneSet(loaded.zones + zones_from_records(rest).zones)


def _zone_for(
    name: dns.name.Name, zones: dict[dns.name.Name, dns.zone.Zone]
) -> dns.zone.Zone | None:
    while name != dns.name.root:
        if name in zones:
            return zones[name]
        name = name.parent()
    return None


def _self_and_parents(name: dns.name.Name) -> set[dns.name.Name]:
    names = {name}
    while len(name) > 1:
        name = name.parent()
        names.add(name)
    return names


class WorldServer(LoopbackNameserver):
    """Never answers names under ``silent``, answers SERVFAIL under ``servfail``."""

    def __init__(self, world: World, delay: float) -> None:
        super().__init__(zone_set(world), delay=delay)
        self.silent = {dns.name.from_text(d) for d in world.silent}
        self.servfail = {dns.name.from_text(d) for d in world.servfail}

    def answer(self, query: dns.message.Message, transport: Transport) -> bytes | None:
        """See ``LoopbackNameserver.answer``."""
        question = query.question[0] if query.question else None
        if question is not None:
            # the name and its parents against sets: 30 is_subdomain() calls a query would
            # cost this server more CPU than the answer, taken from the tools it serves
            zones = _self_and_parents(question.name)
            if not zones.isdisjoint(self.silent):
                self.counters.record(transport, question)
                return None
            if not zones.isdisjoint(self.servfail):
                self.counters.record(transport, question)
                reply = dns.message.make_response(query)
                reply.set_rcode(dns.rcode.SERVFAIL)
                return reply.to_wire()
        return super().answer(query, transport)


def main() -> int:
    """Serve the world; stdin lines: ``stats`` (print JSON counts), ``reset``; EOF stops."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args()
    world = build(args.domains)
    with WorldServer(world, args.delay_ms / 1000) as server:
        print(f"PORT {server.port}", flush=True)
        for line in sys.stdin:
            if line.strip() == "reset":
                server.counters.reset()
                print("OK", flush=True)
            elif line.strip() == "stats":
                counts = server.counters.by_query()
                stats = {"total": server.counters.total, "distinct": len(counts)}
                stats["repeated"] = sum(n - 1 for n in counts.values())
                silent = server.silent
                again = {
                    f"{name} {rrtype}": n
                    for (name, rrtype), n in counts.items()
                    if n > 1 and _self_and_parents(dns.name.from_text(name)).isdisjoint(silent)
                }
                stats["repeated_not_silent"] = sum(n - 1 for n in again.values())
                stats["repeated_names"] = sorted(again)[:5]  # to see why, should there be any
                print(json.dumps(stats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
