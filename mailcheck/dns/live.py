"""Live DNS: dnspython builds and parses the messages; ``transport`` sends them.

One ``LiveResolver`` serves a whole run: it caches every outcome (errors too, so all checks see
one consistent view), coalesces identical lookups in flight, limits concurrency, retries
timeouts, and counts what it sent.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import dns.exception
import dns.message
import dns.rcode
import dns.resolver
import dns.rrset

from mailcheck.base.errors import DnsError, DnsServerError, DnsTimeoutError, InputError
from mailcheck.dns.interface import Answer, Outcome, RRType, normalize_name
from mailcheck.dns.transport import Exchanger

_NAMESERVER = re.compile(
    r"\[(?P<v6>[0-9a-fA-F:.]+)\](?::(?P<port>\d{1,5}))?"
    r"|(?P<v4>[0-9.]+)(?::(?P<port4>\d{1,5}))?"
    r"|(?P<bare>[0-9a-fA-F:.]+)"
)
# RFC 8499 style hop limit; also what stops a CNAME loop across zones.
_MAX_CNAME_HOPS = 8


@dataclass(frozen=True)
class Nameserver:
    """A server to send queries to: an IP address and a port."""

    host: str
    port: int = 53

    @classmethod
    def from_text(cls, text: str) -> Nameserver:
        """Parse ``IP``, ``IP:PORT``, ``[IPv6]:PORT`` or a bare IPv6 address."""
        match = _NAMESERVER.fullmatch(text.strip())
        host = (match["v6"] or match["v4"] or match["bare"]) if match else ""
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise InputError(
                "nameserver", f"{text!r}: expected IP, IP:PORT or [IPv6]:PORT"
            ) from None
        port = int(match["port"] or match["port4"] or 53) if match else 53
        if not 0 < port < 65536:
            raise InputError("nameserver", f"{text!r}: port out of range")
        return cls(host, port)

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ResolverConfig:
    """How to reach DNS. No nameservers means the system resolver (``/etc/resolv.conf``)."""

    nameservers: tuple[Nameserver, ...] = ()
    timeout: float = 5.0  # per attempt
    retries: int = 2  # further attempts after a timeout
    # Lookups in flight at once: enough that a bulk run is not a queue of round trips
    # (benchmarks/resolver.py), far below what a recursive resolver accepts from one client.
    concurrency: int = 200
    edns_payload: int = 1232  # the DNS Flag Day 2020 size: avoids fragmented UDP


@dataclass
class ResolverStats:
    """Counters for one run: lookups sent versus served from the cache."""

    queries_sent: int = 0
    cache_hits: int = 0


class LiveResolver:
    """See ``Resolver``: real lookups, cached for the life of the instance."""

    def __init__(self, config: ResolverConfig | None = None) -> None:
        self.config = config or ResolverConfig()
        self.stats = ResolverStats()
        self._servers = self.config.nameservers or _system_nameservers()
        self._exchanger = Exchanger()
        self._cache: dict[tuple[str, RRType], asyncio.Future[Answer]] = {}
        self._limit: asyncio.Semaphore | None = None

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        key = (normalize_name(name), rrtype)
        cached = self._cache.get(key)
        if cached is not None:
            self.stats.cache_hits += 1
            return await asyncio.shield(cached)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._cache[key] = future
        try:
            future.set_result(await self._lookup(*key))
        except DnsError as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, so an unread failure is not logged as lost
            raise
        return future.result()

    async def _lookup(self, name: str, rrtype: RRType) -> Answer:
        if self._limit is None:
            self._limit = asyncio.Semaphore(self.config.concurrency)
        async with self._limit:
            return await _follow_cnames(name, rrtype, self._send)

    async def _send(self, name: str, rrtype: RRType) -> tuple[dns.message.QueryMessage, str]:
        """Ask the servers in turn, retrying timeouts; a reply is NOERROR or NXDOMAIN."""
        self.stats.queries_sent += 1
        servers = list(self._servers)
        rcodes: list[str] = []
        reasons: list[str] = []
        for _attempt in range(self.config.retries + 1):
            for server in list(servers):
                query = dns.message.make_query(
                    name + ".", rrtype.value, use_edns=0, payload=self.config.edns_payload
                )
                try:
                    reply = await self._exchanger.exchange(
                        query, server.host, server.port, self.config.timeout
                    )
                except (TimeoutError, dns.exception.Timeout):
                    continue
                except (dns.exception.DNSException, OSError, EOFError, ValueError) as exc:
                    reasons.append(f"{server}: {exc or type(exc).__name__}")
                    servers.remove(server)  # a broken server is not asked again
                    continue
                if reply.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                    return reply, str(server)
                rcodes.append(dns.rcode.to_text(reply.rcode()))
                servers.remove(server)  # SERVFAIL and REFUSED are not retried (RFC 2308 §7.1)
        raise _failure(name, rrtype, rcodes, reasons, self.config)


def _failure(
    name: str, rrtype: RRType, rcodes: list[str], reasons: list[str], config: ResolverConfig
) -> DnsError:
    """Name what went wrong: server rcodes first, then transport errors, else a timeout."""
    if rcodes:
        return DnsServerError(name, rrtype, "/".join(sorted(set(rcodes))))
    if reasons:
        return DnsError(name, rrtype, "; ".join(sorted(set(reasons))))
    attempts = config.retries + 1
    return DnsTimeoutError(
        name, rrtype, f"no answer within {config.timeout:g} s ({attempts} attempts)"
    )


async def _follow_cnames(
    name: str,
    rrtype: RRType,
    send: Callable[[str, RRType], Awaitable[tuple[dns.message.QueryMessage, str]]],
) -> Answer:
    """Query, and re-query a CNAME target the server did not resolve (authoritative servers)."""
    cnames: list[str] = []
    current = name
    for _ in range(_MAX_CNAME_HOPS):
        reply, server = await send(current, rrtype)
        try:
            chain = reply.resolve_chaining()
        except dns.exception.DNSException as exc:
            raise DnsError(name, rrtype, f"bad CNAME chain: {exc}") from exc
        cnames += [normalize_name(c[0].target.to_text()) for c in chain.cnames]
        canonical = normalize_name(chain.canonical_name.to_text())
        if reply.rcode() == dns.rcode.NXDOMAIN:
            return Answer(name, rrtype, Outcome.NXDOMAIN, cnames=tuple(cnames), server=server)
        if chain.answer is not None or canonical == current:
            return _to_answer(name, rrtype, chain.answer, tuple(cnames), server)
        if canonical in (name, *cnames[:-1]):
            raise DnsError(name, rrtype, f"CNAME loop at {canonical}")
        current = canonical
    raise DnsError(name, rrtype, f"CNAME chain longer than {_MAX_CNAME_HOPS} hops")


def _to_answer(
    name: str, rrtype: RRType, rrset: dns.rrset.RRset | None, cnames: tuple[str, ...], server: str
) -> Answer:
    if rrset is None:
        return Answer(name, rrtype, Outcome.NODATA, cnames=cnames, server=server)
    records = tuple(sorted(_rdata_text(rrtype, rdata) for rdata in rrset))
    strings = _txt_strings(rrtype, rrset, records)
    return Answer(name, rrtype, Outcome.ANSWER, records, rrset.ttl, cnames, server, strings)


def _txt_strings(
    rrtype: RRType, rrset: dns.rrset.RRset, records: tuple[str, ...]
) -> tuple[tuple[str, ...], ...]:
    """Each TXT record's character-strings, in ``records`` order, when any has several."""
    if rrtype not in (RRType.TXT, RRType.SPF):
        return ()
    split = {
        _rdata_text(rrtype, rdata): tuple(s.decode("utf-8", "replace") for s in rdata.strings)
        for rdata in rrset
    }
    if all(len(parts) < 2 for parts in split.values()):
        return ()
    return tuple(split[text] for text in records)


def _rdata_text(rrtype: RRType, rdata: object) -> str:
    """The ``Answer.records`` text form of one rdata (see ``Answer``)."""
    match rrtype:
        case RRType.TXT | RRType.SPF:
            return b"".join(rdata.strings).decode("utf-8", "replace")  # type: ignore[attr-defined]
        case RRType.MX:
            exchange = normalize_name(rdata.exchange.to_text())  # type: ignore[attr-defined]
            return f"{rdata.preference} {exchange or '.'}"  # type: ignore[attr-defined]
        case RRType.CNAME | RRType.NS | RRType.PTR:
            return normalize_name(rdata.target.to_text())  # type: ignore[attr-defined]
        case RRType.TLSA:
            r = rdata
            return f"{r.usage} {r.selector} {r.mtype} {r.cert.hex()}"  # type: ignore[attr-defined]
        case _:
            return str(rdata.to_text())  # type: ignore[attr-defined]


def _system_nameservers() -> tuple[Nameserver, ...]:
    """The servers in /etc/resolv.conf (dnspython parses it)."""
    try:
        system = dns.resolver.Resolver(configure=True)
    except dns.resolver.NoResolverConfiguration as exc:
        raise InputError("system_resolver", "no system resolver configured") from exc
    servers = tuple(Nameserver(str(ns), 53) for ns in system.nameservers)
    if not servers:
        raise InputError("system_resolver", "no system resolver configured")
    return servers
