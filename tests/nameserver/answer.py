"""Answering one query for the loopback nameserver: authoritative lookup in the served zones,
the response (faults, CNAME chains, negative answers) and its wire form (UDP truncation)."""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.node
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

from tests.nameserver.faults import Fault, Transport
from tests.nameserver.zones import ZoneSet

MAX_CNAME_HOPS = 8
MAX_UDP_SIZE = 65_507  # the largest IPv4 UDP payload


@dataclass
class _Lookup:
    rcode: dns.rcode.Rcode = dns.rcode.NOERROR
    rrsets: list[dns.rrset.RRset] = field(default_factory=list)
    cname_target: dns.name.Name | None = None


class _Authority:
    """One served zone, indexed to tell NXDOMAIN from empty non-terminals and to find wildcards."""

    def __init__(self, zone: dns.zone.Zone) -> None:
        assert zone.origin is not None
        self.zone = zone
        self.origin: dns.name.Name = zone.origin
        self.existing: set[dns.name.Name] = set()
        for name in zone.nodes:
            while name not in self.existing:  # the node and every ancestor up to the origin
                self.existing.add(name)
                if name == self.origin:
                    break
                name = name.parent()

    def lookup(self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> _Lookup:
        """Data for ``qname``, following RFC 4592 wildcard rules."""
        node = self.zone.get_node(qname)
        if node is None and qname in self.existing:
            return _Lookup()  # empty non-terminal: NODATA (RFC 8020)
        if node is None:
            node = self._wildcard(qname)
        if node is None:
            return _Lookup(dns.rcode.NXDOMAIN)
        return _rrsets_at(qname, node, rdtype)

    def _wildcard(self, qname: dns.name.Name) -> dns.node.Node | None:
        encloser = qname.parent()
        while encloser not in self.existing:  # ends at the origin, which always exists
            encloser = encloser.parent()
        return self.zone.get_node(dns.name.Name((b"*",)).concatenate(encloser))

    def soa(self) -> dns.rrset.RRset:
        """The SOA for negative answers; its TTL is the negative-caching TTL (RFC 2308)."""
        rdataset = self.zone.get_rdataset(self.origin, dns.rdatatype.SOA)
        assert rdataset is not None
        ttl = min(rdataset.ttl, rdataset[0].minimum)
        return dns.rrset.from_rdata_list(self.origin, ttl, list(rdataset))


def _rrsets_at(
    owner: dns.name.Name, node: dns.node.Node, rdtype: dns.rdatatype.RdataType
) -> _Lookup:
    if rdtype == dns.rdatatype.ANY:
        return _Lookup(rrsets=[_to_rrset(owner, rds) for rds in node.rdatasets])
    for wanted in (rdtype, dns.rdatatype.CNAME):
        rdataset = node.get_rdataset(dns.rdataclass.IN, wanted)
        if rdataset is not None:
            target = rdataset[0].target if wanted != rdtype else None
            return _Lookup(rrsets=[_to_rrset(owner, rdataset)], cname_target=target)
    return _Lookup()


def _to_rrset(owner: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(owner, rdataset.ttl, list(rdataset))


@dataclass(frozen=True)
class _Served:
    authorities: dict[dns.name.Name, _Authority]
    silent: frozenset[dns.name.Name]

    @classmethod
    def index(cls, zone_set: ZoneSet) -> _Served:
        authorities = (_Authority(zone) for zone in zone_set.zones)
        return cls({authority.origin: authority for authority in authorities}, zone_set.silent)

    def find(self, name: dns.name.Name) -> _Authority | None:
        """The zone with the longest origin containing ``name``."""
        while True:
            if name in self.authorities:
                return self.authorities[name]
            if name == dns.name.root:
                return None
            name = name.parent()


_FAULT_RCODES = {Fault.SERVFAIL: dns.rcode.SERVFAIL, Fault.REFUSED: dns.rcode.REFUSED}


def _parse(wire: bytes) -> dns.message.Message | None:
    try:
        query = dns.message.from_wire(wire)
    except Exception:  # any malformed packet: a test server must never crash on input
        return None
    return None if query.flags & dns.flags.QR else query


def _error(query: dns.message.Message, rcode: dns.rcode.Rcode) -> dns.message.Message:
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    return response


def _respond(
    query: dns.message.Message, served: _Served, fault: Fault | None
) -> dns.message.Message | None:
    """The response to ``query``, or None to send nothing."""
    if query.opcode() != dns.opcode.QUERY:
        return _error(query, dns.rcode.NOTIMP)
    if len(query.question) != 1:
        return _error(query, dns.rcode.FORMERR)
    question = query.question[0]
    if fault is Fault.DROP or question.name in served.silent:
        return None
    if fault in _FAULT_RCODES:
        return _error(query, _FAULT_RCODES[fault])
    rdtype = question.rdtype
    is_meta = dns.rdatatype.is_metatype(rdtype) and rdtype != dns.rdatatype.ANY
    if question.rdclass != dns.rdataclass.IN or is_meta:  # no AXFR/IXFR, no CHAOS
        return _error(query, dns.rcode.REFUSED)
    response = dns.message.make_response(query)
    _resolve(response, served, question.name, rdtype)
    return response


def _resolve(
    response: dns.message.Message,
    served: _Served,
    qname: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
) -> None:
    authority = served.find(qname)
    if authority is None:
        response.set_rcode(dns.rcode.REFUSED)  # not authoritative: we are not a resolver
        return
    response.flags |= dns.flags.AA
    name, seen = qname, {qname}
    for _ in range(MAX_CNAME_HOPS + 1):
        result = authority.lookup(name, rdtype)
        response.answer.extend(result.rrsets)
        target = result.cname_target
        if target is None:
            break
        next_authority = served.find(target)
        if target in seen or next_authority is None:
            return  # a loop, or a target we do not serve: the client follows it if it wants
        name, authority = target, next_authority
        seen.add(target)
    else:
        return  # too many hops: answer with the chain so far
    response.set_rcode(result.rcode)  # the rcode of the last name in the chain (RFC 6604)
    if not result.rrsets:
        response.authority.append(authority.soa())


def _to_wire(
    query: dns.message.Message,
    response: dns.message.Message,
    transport: Transport,
    fault: Fault | None,
) -> bytes:
    if transport is Transport.TCP:
        # Explicit: dnspython would otherwise cap even TCP replies at the EDNS payload size.
        return response.to_wire(max_size=65535)
    # Without EDNS the limit is 512 (RFC 1035 4.2.1); with it, the client's payload size.
    limit = min(max(512, query.payload), MAX_UDP_SIZE) if query.edns >= 0 else 512
    if fault is not Fault.TRUNCATE:
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            pass
    for section in (response.answer, response.authority, response.additional):
        section.clear()
    response.flags |= dns.flags.TC  # the client retries over TCP (RFC 7766)
    return response.to_wire()
