"""Starting and stopping a sink: Maildir lock, startup consistency check, listening socket."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass

from mailcheck.base.errors import InputError, SmtpError
from mailcheck.smtp.backlog import AnalysisService
from mailcheck.smtp.index import Index, Reconciled, count_unanalysed, index_path, last_id, reconcile
from mailcheck.smtp.protocol import Limits, SinkSMTP
from mailcheck.smtp.sink import SinkConfig, SinkHandler
from mailcheck.smtp.store import Maildir
from mailcheck.smtp.tlscert import server_context

log = logging.getLogger(__name__)
# Commands a well-behaved client needs a handful of times per session; a client looping on
# them is stalling (each one resets the idle timer), so it gets cut off.
CALL_LIMITS = {"NOOP": 50, "HELP": 10, "VRFY": 10, "EXPN": 10, "STARTTLS": 3, "AUTH": 5}
CALL_LIMITS["*"] = 10**9
PROXY_TIMEOUT = 10.0


@dataclass
class RunningSink:
    """A sink that is accepting connections."""

    server: asyncio.Server
    limits: Limits
    handler: SinkHandler
    maildir: Maildir
    index: Index
    reconciled: Reconciled

    @property
    def port(self) -> int:
        """The TCP port it listens on (useful after binding port 0)."""
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self, drain_timeout: float = 10.0) -> None:
        """Stop listening, let sessions go, finish analysis, close the index and lock."""
        self.server.close()
        # Python 3.11's Server cannot close its clients: the sessions are tracked in Limits.
        for session in list(self.limits.sessions):
            if session.transport is not None:
                session.transport.close()
        deadline = asyncio.get_running_loop().time() + drain_timeout
        while self.limits.sessions and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.wait_for(self.server.wait_closed(), timeout=drain_timeout)
        await self.maildir.finish(drain_timeout)
        # Bounded short: Ctrl-C must stop the sink within 2 s even with a backlog; what is
        # not analysed now is analysed at the next start.
        await self.handler.stop(min(drain_timeout, 1.0))
        await self.index.close()
        self.maildir.close()

    async def unanalysed(self) -> int:
        """Messages stored without an analysis yet (after ``close``: left for the next start)."""
        return await asyncio.to_thread(count_unanalysed, index_path(self.maildir.path))


def check_bind(host: str, allow_non_loopback: bool) -> bool:
    """True when ``host`` is loopback; raise unless non-loopback binding was allowed."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError as exc:
        raise InputError("listen", f"{host!r} is not an IP address") from exc
    if not loopback and not allow_non_loopback:
        raise InputError("allow_non_loopback", f"refusing to listen on non-loopback {host}")
    return loopback


async def start_sink(config: SinkConfig, analysis: AnalysisService | None = None) -> RunningSink:
    """Open the Maildir, reconcile the index with it, start the analysis (it takes what
    earlier runs left unanalysed first), then start listening."""
    check_bind(config.host, config.allow_non_loopback)
    maildir = Maildir(config.maildir, config.hostname)
    maildir.open()
    index = Index(index_path(config.maildir))
    try:
        # The writer first: it waits until a killed sink's writer is gone, then the check runs.
        await maildir.start_writer()
        reconciled = await asyncio.to_thread(reconcile, maildir, index_path(config.maildir))
        await index.open()
        handler = SinkHandler(config, maildir, index, analysis)
        if analysis is not None:
            before = await asyncio.to_thread(last_id, index_path(config.maildir))
            await analysis.start(config.maildir, handler.analysed, before)
        limits = Limits(config.max_connections, config.max_per_client)
        server = await _listen(config, handler, limits)
    except BaseException:
        if analysis is not None:
            await analysis.stop(1.0)
        await index.close()
        maildir.close()
        raise
    return RunningSink(server, limits, handler, maildir, index, reconciled)


async def _listen(config: SinkConfig, handler: SinkHandler, limits: Limits) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    tls = server_context(config.tls_cert, config.tls_key, config.hostname) if config.tls else None

    def session() -> SinkSMTP:
        return SinkSMTP(
            handler,
            limits=limits,
            data_timeout=config.data_timeout,
            stress_timeout=config.stress_timeout,
            data_size_limit=config.size_limit,
            hostname=config.hostname,
            ident="mailcheck sink",
            tls_context=tls,
            timeout=config.command_timeout,
            command_call_limit=CALL_LIMITS,
            proxy_protocol_timeout=PROXY_TIMEOUT if config.proxy_protocol else None,
            loop=loop,
        )

    try:
        return await loop.create_server(session, config.host, config.port, backlog=1024)
    except OSError as exc:
        raise SmtpError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}"
        ) from exc
