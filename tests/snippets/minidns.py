"""A minimal authoritative UDP nameserver on loopback for the snippet behaviour tests.

Stand-in until ``tests/nameserver.py`` (the shared ``nameserver`` fixture) is on main; the
conftest prefers that one. Serves the zone files it is given: answers, NXDOMAIN, NODATA, and
REFUSED for names outside them, so a filter under test never sends a query off the host.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

STOP_TIMEOUT = 5.0


class MiniNameserver:
    """Serve zone files over UDP on 127.0.0.1 from a thread; use as a context manager."""

    def __init__(self, zone_files: list[Path]) -> None:
        self.zones = [dns.zone.from_file(str(p), relativize=False) for p in zone_files]
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)  # so the loop notices stop() within a bounded time
        self.address = self.sock.getsockname()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> MiniNameserver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(STOP_TIMEOUT)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            try:
                reply = self._answer(dns.message.from_wire(wire))
            except Exception:  # a malformed query gets no answer, like a real server
                continue
            self.sock.sendto(reply.to_wire(max_size=65535), peer)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        reply = dns.message.make_response(query)
        question = query.question[0]
        zone = next((z for z in self.zones if question.name.is_subdomain(z.origin)), None)
        if zone is None:
            reply.set_rcode(dns.rcode.REFUSED)
            return reply
        reply.flags |= dns.flags.AA
        node = zone.get_node(question.name)
        rdataset = node.get_rdataset(1, question.rdtype) if node is not None else None
        if rdataset is not None:
            reply.answer.append(_rrset(question.name, rdataset))
            return reply
        if node is None:
            reply.set_rcode(dns.rcode.NXDOMAIN)
        reply.authority.append(_rrset(zone.origin, zone.find_rdataset(zone.origin, "SOA")))
        return reply


def _rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
    rrset.update(rdataset)
    return rrset
