"""The SMTP sink: an aiosmtpd handler that stores every accepted message durably, and its server.

Never relays: every accepted message goes to the Maildir, nowhere else. Accepts any recipient
unless a behaviour says otherwise. Binds loopback unless told otherwise. A message is only
acknowledged with 250 after it is fsynced into ``new/`` and indexed; any fault answers
``451 4.3.0`` (the client retries) without internals.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import Session

from mailcheck.base.errors import SmtpError
from mailcheck.smtp import behaviours as bh
from mailcheck.smtp.backlog import AnalysisService
from mailcheck.smtp.greylist import Greylist
from mailcheck.smtp.index import Index, stored_row
from mailcheck.smtp.protocol import TEMPFAIL, SinkEnvelope, SinkSMTP
from mailcheck.smtp.store import Envelope, Incoming, Maildir, Stored

log = logging.getLogger(__name__)
DEFAULT_SIZE = 25 * 1000 * 1000


@dataclass(frozen=True)
class SinkConfig:
    """How to run a sink."""

    maildir: Path
    host: str = "127.0.0.1"
    port: int = 2525
    allow_non_loopback: bool = False
    size_limit: int = DEFAULT_SIZE
    max_recipients: int = 100
    max_connections: int = 200
    max_per_client: int = 50
    command_timeout: float = 300.0
    stress_timeout: float = 10.0  # idle timeout once 80% of the connection slots are taken
    data_timeout: float = 600.0
    tls: bool = True
    tls_cert: Path | None = None
    tls_key: Path | None = None
    proxy_protocol: bool = False
    trusted_proxies: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    behaviours: tuple[bh.Behaviour, ...] = ()
    hostname: str = field(default_factory=socket.gethostname)


class SinkHandler:
    """aiosmtpd hooks: behaviours, limits, durable storage; analysis is woken after the 250."""

    def __init__(
        self, config: SinkConfig, maildir: Maildir, index: Index, analysis: AnalysisService | None
    ) -> None:
        self.config = config
        self.maildir = maildir
        self.index = index
        self.analysis = analysis
        self.greylist = Greylist()
        self._proxies = [ipaddress.ip_network(n) for n in config.trusted_proxies]
        self.stored = 0  # messages stored by this run
        # Each message of this run as an index row: once stored without analysis, once
        # analysed with it (rows of earlier runs analysed now are not shown).
        self.on_message: Callable[[dict[str, Any]], None] | None = None

    # -- who is the client ------------------------------------------------------------
    def client_ip(self, session: Session) -> str:
        """The client address: the PROXY-given one when a trusted proxy sent it."""
        proxy = session.proxy_data
        if proxy is not None and proxy.src_addr is not None:
            return str(proxy.src_addr)
        return _peer(session)[0]

    def _facts(self, session: Session, envelope: Any = None) -> bh.Facts:
        return bh.Facts(
            client_ip=self.client_ip(session),
            helo=session.host_name or "",
            mail_from=(envelope.mail_from or "") if envelope is not None else "",
            rcpt_to=tuple(envelope.rcpt_tos) if envelope is not None else (),
        )

    async def _apply(self, server: SinkSMTP, stage: bh.Stage, facts: bh.Facts) -> str | None:
        """Run the behaviour for this stage: None to go on, or the reply to give instead."""
        behaviour = bh.decide(self.config.behaviours, stage, facts)
        if behaviour is None or behaviour.action is bh.Action.ACCEPT:
            return None
        if behaviour.action is bh.Action.DELAY:
            server.hold_timeout(behaviour.seconds + self.config.command_timeout)
            await asyncio.sleep(behaviour.seconds)
            return None
        if behaviour.action is bh.Action.GREYLIST:
            client = behaviour.client_key(facts.client_ip)
            triplet = (client, facts.mail_from.lower(), facts.rcpt_to[-1].lower())
            if self.greylist.passes(triplet, behaviour.seconds, time.monotonic()):
                return None
        if behaviour.action is bh.Action.DISCONNECT:
            await server.push(behaviour.reply())
            assert server.transport is not None
            server.transport.close()
            raise asyncio.CancelledError  # ends the session task like a lost connection
        return behaviour.reply()

    # -- hooks --------------------------------------------------------------------------
    async def handle_PROXY(  # noqa: N802
        self, server: SinkSMTP, session: Session, envelope: Any, proxy: Any
    ) -> bool:
        """Accept a PROXY header only from a trusted local proxy."""
        peer = ipaddress.ip_address(_peer(session)[0])
        if not any(peer.version == n.version and peer in n for n in self._proxies):
            log.warning("PROXY header from untrusted %s refused", peer)
            return False
        return await self.on_connect(server, session)

    async def on_connect(self, server: SinkSMTP, session: Session) -> bool:
        """Connect-stage behaviours; False closes the connection."""
        reply = await self._apply(server, bh.Stage.CONNECT, self._facts(session))
        if reply is None:
            return True
        await server.push(reply)
        return False

    async def handle_HELO(  # noqa: N802
        self, server: SinkSMTP, session: Session, envelope: Any, hostname: str
    ) -> str:
        """HELO: remember the name, run helo behaviours."""
        session.host_name = hostname
        reply = await self._apply(server, bh.Stage.HELO, self._facts(session))
        return reply or f"250 {self.config.hostname}"

    async def handle_EHLO(  # noqa: N802
        self, server: SinkSMTP, session: Session, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        """EHLO: remember the name, run helo behaviours."""
        session.host_name = hostname
        reply = await self._apply(server, bh.Stage.HELO, self._facts(session))
        if reply:
            return [reply]
        # aiosmtpd reads commands strictly in order, so pipelined groups work; it just
        # does not say so (RFC 2920). It offers AUTH after STARTTLS, but the sink has no
        # accounts (SinkSMTP.smtp_AUTH refuses): a client that tried it would only fail.
        offered = [line for line in responses[:-1] if not line.startswith("250-AUTH")]
        return [*offered, "250-PIPELINING", responses[-1]]

    async def handle_MAIL(  # noqa: N802
        self, server: SinkSMTP, session: Session, envelope: Any, address: str, options: list[str]
    ) -> str:
        """MAIL FROM: behaviours, then accept."""
        facts = bh.Facts(self.client_ip(session), session.host_name or "", address)
        reply = await self._apply(server, bh.Stage.MAIL, facts)
        if reply is not None:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: SinkSMTP, session: Session, envelope: Any, address: str, options: list[str]
    ) -> str:
        """RCPT TO: recipient limit, behaviours, then accept (never relays: stores only)."""
        if len(envelope.rcpt_tos) >= self.config.max_recipients:
            return "452 4.5.3 Too many recipients"
        facts = self._facts(session, envelope)
        facts = bh.Facts(facts.client_ip, facts.helo, facts.mail_from, (*facts.rcpt_to, address))
        reply = await self._apply(server, bh.Stage.RCPT, facts)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def open_message(self, server: SinkSMTP, session: Session, envelope: Any) -> Incoming:
        """DATA starts: a new message, trace headers first."""
        return self.maildir.begin(self._envelope(session, envelope))

    def _envelope(self, session: Session, envelope: Any) -> Envelope:
        peer = _peer(session)
        proxy = session.proxy_data
        proxied = proxy is not None and proxy.src_addr is not None
        port = proxy.src_port if proxy is not None and proxied else peer[1]
        return Envelope(
            mail_from=envelope.mail_from or "",
            rcpt_to=tuple(envelope.rcpt_tos),
            client_ip=self.client_ip(session),
            client_port=int(port or 0),
            helo=session.host_name or "",
            tls=_tls_text(session),
            received_at=time.time(),
            proxied_from=peer[0] if proxied else "",
        )

    async def handle_DATA(self, server: SinkSMTP, session: Session, envelope: SinkEnvelope) -> str:  # noqa: N802
        """End of DATA: data behaviours, then store durably and only then answer 250."""
        writer = envelope.writer
        assert isinstance(writer, Incoming)
        try:
            reply = await self._apply(server, bh.Stage.DATA, self._facts(session, envelope))
        except BaseException:
            writer.abort()
            raise
        if reply is not None:
            writer.abort()
            return reply
        # Shielded: a client that hangs up now must not leave a half-committed message.
        task = asyncio.ensure_future(self._store(writer))
        try:
            stored = await asyncio.shield(task)
        except SmtpError as exc:
            log.error("not stored: %s", exc)
            return TEMPFAIL
        return f"250 2.0.0 OK queued as {stored.key}"

    async def _store(self, writer: Incoming) -> Stored:
        stored = await self.maildir.commit(writer)  # its index row is committed too
        self.stored += 1
        if self.analysis is not None:
            self.analysis.wake()
        elif self.on_message is not None:
            self.on_message(stored_row(stored))
        return stored

    def analysed(self, rows: list[dict[str, Any]]) -> None:
        """Rows of this run the analysis has finished (its ``report``)."""
        if self.on_message is not None:
            for row in rows:
                self.on_message(row)

    async def handle_exception(self, error: Exception) -> str:
        """Any fault: log it here, tell the client only to retry later."""
        log.error("session fault: %s: %s", type(error).__name__, error)
        return TEMPFAIL

    async def unanalysed(self) -> int:
        """Messages in the index (of any run) without an analysis yet."""
        return await self.index.unanalysed()

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) until every stored message has its analysis."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.analysis is not None and await self.unanalysed() and loop.time() < deadline:
            await asyncio.sleep(0.05)

    async def stop(self, timeout: float) -> None:
        """Stop the analysis (bounded): see ``AnalysisService.stop``."""
        if self.analysis is not None:
            await self.analysis.stop(timeout)


def _tls_text(session: Session) -> str:
    ssl_object = (session.ssl or {}).get("ssl_object")
    if ssl_object is None:
        return ""
    cipher = ssl_object.cipher()
    return f"{ssl_object.version()} {cipher[0] if cipher else ''}".strip()


def _peer(session: Session) -> tuple[str, int]:
    # aiosmtpd types ``peer`` as str, but it holds the socket's (host, port, ...) tuple.
    peer: Any = session.peer
    if isinstance(peer, tuple) and len(peer) >= 2:
        return str(peer[0]), int(peer[1])
    return "", 0
