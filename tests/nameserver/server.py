"""The loopback nameserver itself: UDP and TCP on one 127.0.0.1 port, served from a thread
with its own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from pathlib import Path
from typing import Any, cast

import dns.message
import dns.rcode
import dns.rrset

from tests.nameserver.answer import _error, _parse, _respond, _Served, _to_wire
from tests.nameserver.faults import FaultPlan, QueryCounters, Transport
from tests.nameserver.zones import ZONES_DIR, ZoneSet, load_zones
from tests.processes import BackgroundServer

HOST = "127.0.0.1"
MAX_TCP_CONNECTIONS = 256
MAX_PENDING_UDP = 20_000
MAX_CACHED_REPLIES = 50_000  # bounded: a benchmark's distinct names, not an unbounded store
UDP_BUFFER_SIZE = 1 << 20  # room for bursts of queries from load tests
TCP_IDLE_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


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


class LoopbackNameserver(BackgroundServer):
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
