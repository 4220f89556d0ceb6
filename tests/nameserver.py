"""Authoritative DNS server on loopback for tests and benchmarks.

``LoopbackNameserver`` serves zones over UDP and TCP on one 127.0.0.1 port from a thread with its
own event loop; ``python -m tests.nameserver --zones DIR`` runs it in a child process. Faults can
be injected at run time and every query is counted (pattern: rthalley/dnspython
tests/nanonameserver.py).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import enum
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.node
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

ZONES_DIR = Path(__file__).parent / "data" / "zones"
REPO_ROOT = Path(__file__).parent.parent
HOST = "127.0.0.1"
MAX_CNAME_HOPS = 8
MAX_TCP_CONNECTIONS = 256
MAX_PENDING_UDP = 20_000
MAX_UDP_SIZE = 65_507  # the largest IPv4 UDP payload
MAX_CACHED_REPLIES = 50_000  # bounded: a benchmark's distinct names, not an unbounded store
UDP_BUFFER_SIZE = 1 << 20  # room for bursts of queries from load tests
TCP_IDLE_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
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


# --- zones ---------------------------------------------------------------------------------


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


# --- faults and counters -------------------------------------------------------------------


class Transport(enum.StrEnum):
    """How a query arrived."""

    UDP = "udp"
    TCP = "tcp"


class Fault(enum.Enum):
    """What to do instead of answering a name normally."""

    DROP = "drop"  # never answer: the client times out
    SERVFAIL = "servfail"
    REFUSED = "refused"
    TRUNCATE = "force_truncate"  # TC=1 with no records over UDP, even when the answer fits


_FAULT_RCODES = {Fault.SERVFAIL: dns.rcode.SERVFAIL, Fault.REFUSED: dns.rcode.REFUSED}


class FaultPlan:
    """Faults to inject, by name (case-insensitive, trailing dot optional); thread-safe."""

    def __init__(self, delay: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._delay = delay
        self._by_name: dict[str, Fault] = {}

    @property
    def delay(self) -> float:
        """Seconds to wait before every reply; other queries are served meanwhile."""
        with self._lock:
            return self._delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        with self._lock:
            self._delay = seconds

    def set(self, name: str | dns.name.Name, fault: Fault | None) -> None:
        """Inject ``fault`` for queries about ``name``; None removes it."""
        key = name_key(name)
        with self._lock:
            if fault is None:
                self._by_name.pop(key, None)
            else:
                self._by_name[key] = fault

    def has_name_faults(self) -> bool:
        """True while any per-name fault is set (cached replies are then bypassed)."""
        with self._lock:
            return bool(self._by_name)

    def get(self, name: str | dns.name.Name) -> Fault | None:
        """The fault injected for ``name``, if any."""
        key = name_key(name)
        with self._lock:
            return self._by_name.get(key)

    def clear(self) -> None:
        """Remove every fault and the delay."""
        with self._lock:
            self._by_name.clear()
            self._delay = 0.0


class QueryCounters:
    """Queries received: in total, per transport and per (name key, type text); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_transport: collections.Counter[Transport] = collections.Counter()
        self._by_query: collections.Counter[tuple[str, str]] = collections.Counter()

    def record(self, transport: Transport, question: dns.rrset.RRset | None) -> None:
        """Count one parsed query."""
        key = None
        if question is not None:
            key = (name_key(question.name), dns.rdatatype.to_text(question.rdtype))
        with self._lock:
            self._by_transport[transport] += 1
            if key is not None:
                self._by_query[key] += 1

    @property
    def total(self) -> int:
        """All parsed queries."""
        with self._lock:
            return sum(self._by_transport.values())

    @property
    def udp(self) -> int:
        """Parsed queries that came over UDP."""
        with self._lock:
            return self._by_transport[Transport.UDP]

    @property
    def tcp(self) -> int:
        """Parsed queries that came over TCP."""
        with self._lock:
            return self._by_transport[Transport.TCP]

    def count(self, name: str | dns.name.Name, rdtype: str) -> int:
        """Queries for ``name`` (any case, trailing dot optional) and ``rdtype`` (e.g. "TXT")."""
        key = (name_key(name), rdtype.upper())
        with self._lock:
            return self._by_query[key]

    def by_query(self) -> dict[tuple[str, str], int]:
        """A copy of the per (name key, type) counts."""
        with self._lock:
            return dict(self._by_query)

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._by_transport.clear()
            self._by_query.clear()


# --- answering -----------------------------------------------------------------------------


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


# --- transports and the server -------------------------------------------------------------


def bind_port_pair(host: str = HOST, attempts: int = 10) -> tuple[socket.socket, socket.socket]:
    """A UDP and a listening TCP socket on the same free port (the TCP port may be taken: retry)."""
    for _ in range(attempts):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER_SIZE)  # capped by the kernel
        udp.bind((host, 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((host, udp.getsockname()[1]))
            tcp.listen(128)
            return udp, tcp
        except OSError:
            tcp.close()
            udp.close()
    raise OSError(f"no free UDP+TCP port pair on {host} after {attempts} attempts")


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: LoopbackNameserver) -> None:
        self._server = server
        self._transport: asyncio.DatagramTransport | None = None
        self._pending = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)  # not a subclass on 3.11

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        reply = self._server.answer_wire(data, Transport.UDP)
        if reply is None or self._pending >= MAX_PENDING_UDP:
            return
        delay = self._server.faults.delay
        if delay <= 0:
            self._send(reply, addr)
            return
        self._pending += 1
        asyncio.get_running_loop().call_later(delay, self._send_delayed, reply, addr)

    def _send_delayed(self, reply: bytes, addr: tuple[str | Any, int]) -> None:
        self._pending -= 1
        self._send(reply, addr)

    def _send(self, reply: bytes, addr: tuple[str | Any, int]) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(reply, addr)

    def error_received(self, exc: Exception) -> None:
        pass  # e.g. ICMP port unreachable from a client that already gave up


class LoopbackNameserver:
    """Authoritative server on ``host``:``port`` over UDP and TCP, in a thread with its own loop.

    Use it as a context manager or with ``start()``/``stop()``. ``faults``, ``counters`` and
    ``set_zones()`` may be used from any thread while it runs. Not served: delegations (NS below
    an apex is plain data), DNSSEC, zone transfers.
    """

    def __init__(
        self, zones: ZoneSet | Path = ZONES_DIR, *, host: str = HOST, delay: float = 0.0
    ) -> None:
        self.host = host
        self.port = 0
        self.faults = FaultPlan(delay)
        self.counters = QueryCounters()
        self._served = _Served.index(zones if isinstance(zones, ZoneSet) else load_zones(zones))
        self._replies: dict[tuple[Transport, bytes], tuple[dns.rrset.RRset, bytes]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp_server: asyncio.Server | None = None
        self._tcp_writers: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` to send queries to."""
        return (self.host, self.port)

    def set_zones(self, zones: ZoneSet) -> None:
        """Serve ``zones`` from now on instead of the current ones."""
        self._served = _Served.index(zones)
        self._replies.clear()

    def answer_wire(self, data: bytes, transport: Transport) -> bytes | None:
        """Answer a query in wire form. Replies are cached by the query bytes after its ID:
        the zones are static, and parsing plus rendering would otherwise make this server,
        not the client under test, the bottleneck of a benchmark."""
        key = (transport, data[2:])
        cached = None if self.faults.has_name_faults() else self._replies.get(key)
        if cached is not None:
            question, wire = cached
            self.counters.record(transport, question)
            return data[:2] + wire[2:]
        query = _parse(data)
        reply = None if query is None else self.answer(query, transport)
        if reply is not None and query is not None and query.question:
            if not self.faults.has_name_faults() and len(self._replies) < MAX_CACHED_REPLIES:
                self._replies[key] = (query.question[0], reply)
        return reply

    def reset_counters(self) -> None:
        """Zero the query counters."""
        self.counters.reset()

    def answer(self, query: dns.message.Message, transport: Transport) -> bytes | None:
        """Count ``query`` and return the reply's wire form, or None to send nothing."""
        question = query.question[0] if query.question else None
        self.counters.record(transport, question)
        fault = None if question is None else self.faults.get(question.name)
        try:
            response = _respond(query, self._served, fault)
            return None if response is None else _to_wire(query, response, transport, fault)
        except Exception:  # a bug here must not stop the server: say SERVFAIL instead
            return _error(query, dns.rcode.SERVFAIL).to_wire()

    def start(self) -> None:
        """Bind the port and serve in a background thread; returns once queries are answered."""
        if self._thread is not None:
            raise RuntimeError("nameserver already started")
        udp, tcp = bind_port_pair(self.host)
        self.port = udp.getsockname()[1]
        self._loop, self._error = asyncio.new_event_loop(), None
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(udp, tcp, ready), name=f"nameserver-{self.port}", daemon=True
        )
        self._thread.start()
        if not ready.wait(STOP_TIMEOUT) or self._error is not None:
            self.stop()
            raise RuntimeError("nameserver did not start") from self._error

    def stop(self) -> None:
        """Stop serving and join the thread (bounded); safe to call twice."""
        thread, loop, self._thread = self._thread, self._loop, None
        if thread is None or loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError(f"nameserver thread still running after {STOP_TIMEOUT} s")

    def __enter__(self) -> LoopbackNameserver:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, udp: socket.socket, tcp: socket.socket, ready: threading.Event) -> None:
        loop = self._loop
        assert loop is not None
        try:
            loop.run_until_complete(self._open(udp, tcp))
            ready.set()
            loop.run_forever()
        except BaseException as exc:  # handed to start(), which raises it
            self._error = exc
            udp.close()
            tcp.close()
        finally:
            ready.set()
            loop.run_until_complete(self._close())
            loop.close()

    async def _open(self, udp: socket.socket, tcp: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(lambda: _UdpProtocol(self), sock=udp)
        self._tcp_server = await asyncio.start_server(self._serve_tcp, sock=tcp)

    async def _close(self) -> None:
        if self._tcp_server is not None:
            self._tcp_server.close()
        for writer in list(self._tcp_writers):
            writer.close()
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._udp is not None:
            self._udp.close()
        for _ in range(3):  # let the transports' connection_lost callbacks close their sockets
            await asyncio.sleep(0)
        self._udp, self._tcp_server = None, None

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._tcp_writers) >= MAX_TCP_CONNECTIONS:
            writer.close()
            return
        self._tcp_writers.add(writer)
        try:
            await self._serve_connection(reader, writer)
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass  # the client went away, or stayed idle too long
        except asyncio.CancelledError:
            pass  # the server is stopping; on 3.11 a cancelled handler task gets logged as an error
        finally:
            self._tcp_writers.discard(writer)
            writer.close()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Length-prefixed queries (RFC 1035 4.2.2), answered in order, until garbage or EOF."""
        while True:
            prefix = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_TIMEOUT)
            (length,) = struct.unpack("!H", prefix)
            query = _parse(await asyncio.wait_for(reader.readexactly(length), TCP_IDLE_TIMEOUT))
            if query is None:
                return  # garbage: close the connection
            reply = self.answer(query, Transport.TCP)
            await asyncio.sleep(self.faults.delay)
            if reply is not None:
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()


# --- subprocess mode -----------------------------------------------------------------------


class NameserverProcess:
    """``python -m tests.nameserver`` as a child process, so it does not share the client's GIL."""

    def __init__(
        self, zones_dir: Path = ZONES_DIR, *, delay_ms: float = 0.0, start_timeout: float = 10.0
    ) -> None:
        self.zones_dir = zones_dir
        self.delay_ms = delay_ms
        self.start_timeout = start_timeout
        self.host = HOST
        self.port = 0
        self.returncode: int | None = None  # the child's exit status, once stopped
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start the child and wait (bounded) for its ``PORT <n>`` line."""
        command = [sys.executable, "-m", "tests.nameserver", "--zones", str(self.zones_dir)]
        command += ["--delay-ms", str(self.delay_ms)]
        self._process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        readable, _, _ = select.select([self._process.stdout], [], [], self.start_timeout)
        line = self._process.stdout.readline() if readable else ""
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"nameserver subprocess did not start (said {line!r})")
        self.port = int(line.split()[1])

    def stop(self) -> None:
        """Close the child's stdin, which stops it; kill it if it lingers."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.communicate(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate(timeout=STOP_TIMEOUT)
        self.returncode = process.returncode

    def __enter__(self) -> NameserverProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """Serve ``--zones`` until stdin closes or SIGTERM; print ``PORT <n>`` once ready."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.nameserver",
        description="Serve DIR/*.zone on 127.0.0.1 (UDP+TCP), print 'PORT <n>' once ready, and "
        "serve until stdin closes or SIGTERM (so start it with a pipe as stdin).",
    )
    parser.add_argument("--zones", type=Path, default=ZONES_DIR, help="directory of *.zone files")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="delay before every reply")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    with LoopbackNameserver(load_zones(args.zones), delay=args.delay_ms / 1000) as server:
        print(f"PORT {server.port}", flush=True)
        try:
            if sys.stdin is None:
                signal.pause()
            while sys.stdin is not None and os.read(sys.stdin.fileno(), 65_536):
                continue
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
