"""aiosmtpd's ``SMTP`` with what a durable delivery-test sink needs and 1.4.6 lacks.

Measured against stock aiosmtpd 1.4.6 (see tests/smtp/test_protocol.py):

* a text line over 1,001 octets made it reject the whole message with a permanent ``500``;
  Postfix accepts such mail, so we store it unchanged;
* the whole DATA was joined in memory (a 30 MiB message: +30 MiB and more); here at most
  ``store.SPILL`` (32 KiB) is kept, the rest streams into the Maildir ``tmp/`` file as it
  arrives, read in bulk and unstuffed per chunk (``_DataStream``);
* a message over SIZE is drained and refused with ``552 5.3.4`` without storing anything;
* no connection limits: ``Limits`` bounds connections in total and per client address;
* the MAIL command-length allowance grew by 36 octets on *every* EHLO, shared by all sessions
  (a class-level dict); here it is per session and fixed;
* command lines ending in a bare LF were executed, commands without progress (RSET, NOOP ...)
  reset the idle timer forever, and NUL or an unterminated quote in a path was accepted:
  see ``junk`` (Postfix's answers); near the connection limit idle sessions time out sooner;
* parsing each MAIL and RCPT address defined a ``typing.Protocol`` class (for type hints
  only) and ran the full RFC 5322 parser even for ``<user@example.com>``, together about a
  third of the event loop's time per 2 KB message; ``address.parse_path`` does neither and
  gives the same results (but 501, not a server fault, where the parser crashes).

This is the one module that touches aiosmtpd's private names (hence the pin to 1.4.x in
pyproject.toml); the rest of ``smtp/`` uses only what aiosmtpd documents plus the methods
``SinkSMTP`` adds, such as ``hold_timeout``. tests/smtp/test_aiosmtpd_contract.py lists every
private name used here and checks it against the installed aiosmtpd.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiosmtpd.smtp import SMTP, Envelope

from mailcheck.base.errors import SmtpError
from mailcheck.smtp import junk
from mailcheck.smtp.address import parse_path

log = logging.getLogger(__name__)
MAIL_COMMAND_LIMIT = 512 + 26 + 10 + 14  # RFC 5321 + SIZE (RFC 1870) + SMTPUTF8 + BODY=8BITMIME
TEMPFAIL = "451 4.3.0 Temporary server error, please try again later"
# Postfix's stress mode: with most connection slots taken, idle clients get 10 s, not 300 s.
STRESS_SHARE = 0.8


class MessageWriter(Protocol):
    """Where DATA bytes go: a file in the Maildir ``tmp/`` (see ``store.Incoming``)."""

    def write(self, data: bytes) -> None:
        """Append bytes; raise ``SmtpError`` if they cannot be kept."""

    def abort(self) -> None:
        """Discard everything written."""


class DataReceiver(Protocol):
    """The handler side of streaming DATA."""

    async def open_message(self, server: SinkSMTP, session: Any, envelope: Any) -> MessageWriter:
        """Start a message; may raise (the session then answers 451)."""

    async def on_connect(self, server: SinkSMTP, session: Any) -> bool:
        """Before the greeting (after a PROXY header, if any); False closes the connection."""


@dataclass
class Limits:
    """Connection limits shared by every session of one server."""

    max_connections: int = 200
    max_per_client: int = 50
    active: collections.Counter[str] = field(default_factory=collections.Counter)
    sessions: set[SMTP] = field(default_factory=set)  # open sessions, for shutdown

    @property
    def total(self) -> int:
        """Connections open now."""
        return sum(self.active.values())

    def admit(self, client: str) -> bool:
        """Count a new connection in, or refuse it."""
        if self.total >= self.max_connections or self.active[client] >= self.max_per_client:
            return False
        self.active[client] += 1
        return True

    def release(self, client: str) -> None:
        """Count a connection out."""
        self.active[client] -= 1
        if self.active[client] <= 0:
            del self.active[client]


class SinkEnvelope(Envelope):
    """aiosmtpd's envelope plus the writer holding the streamed message."""

    def __init__(self) -> None:
        super().__init__()
        self.writer: MessageWriter | None = None


class SinkSMTP(SMTP):
    """One SMTP session of the sink."""

    def __init__(
        self,
        handler: DataReceiver,
        *,
        limits: Limits,
        data_timeout: float = 600.0,
        stress_timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(handler, enable_SMTPUTF8=True, decode_data=False, **kwargs)
        # Per session, so EHLO cannot grow a limit shared by every session (see module doc).
        self.command_size_limits = collections.defaultdict(lambda: SMTP.command_size_limit)
        self._limits = limits
        self._data_timeout = data_timeout
        self._stress_timeout = stress_timeout
        self._client: str | None = None
        self._junk = 0  # command lines since the last accepted message (see ``junk``)

    def _cb_client_connected(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        super()._cb_client_connected(reader, writer)
        commands = junk.adopt(reader)
        commands.on_line, commands.on_bare_lf = self._count_line, self._bare_lf

    def _count_line(self, line: bytes) -> None:
        if junk.is_progress(line):
            return
        self._junk += 1
        if self._junk > junk.JUNK_LIMIT and self.transport is not None:
            log.warning("%s: too many commands without progress", self._client)
            self._writer.write(junk.TOO_MUCH_JUNK.encode() + b"\r\n")
            self.transport.close()

    def _bare_lf(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._writer.write(junk.BARE_LF)

    def _reset_timeout(self, duration: float | None = None) -> None:
        """aiosmtpd's idle timer; shorter while the sink is near its connection limit."""
        if duration is None and self._limits.total >= STRESS_SHARE * self._limits.max_connections:
            duration = self._stress_timeout
        super()._reset_timeout(duration)

    def hold_timeout(self, seconds: float) -> None:
        """Give the client ``seconds`` before the idle timer closes the session (a hook that
        waits on purpose, e.g. a delay behaviour, must not be cut short by it)."""
        self._reset_timeout(seconds)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Count the connection (a STARTTLS re-entry is the same connection)."""
        if self._original_transport is None and self.transport is None:
            peer = transport.get_extra_info("peername")
            client = str(peer[0]) if peer else "?"
            if self._limits.admit(client):
                self._client = client
            self._limits.sessions.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        """Count the connection out."""
        if self._client is not None:
            self._limits.release(self._client)
            self._client = None
        self._limits.sessions.discard(self)
        super().connection_lost(error)

    async def smtp_AUTH(self, arg: str) -> None:  # noqa: N802
        """No accounts, so no AUTH (not advertised either): aiosmtpd's default offered it
        after STARTTLS and then failed every attempt with 535."""
        await self.push("502 5.5.1 AUTH is not offered by this sink")

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd 1.4.6's ``_getaddr``, with the faster parse (see ``address``), and paths
        no MTA sends refused (see ``junk.is_bad_path``)."""
        if not arg:
            return "", ""
        parsed = parse_path(arg)
        if parsed is None:
            return None, None
        addr, rest = parsed
        if self.local_part_limit and len(addr.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        if junk.is_bad_path(addr):
            return "", ""  # aiosmtpd's 501 syntax error, as Postfix answers (not 553)
        return addr, rest

    def _create_envelope(self) -> SinkEnvelope:
        return SinkEnvelope()

    async def _handle_client(self) -> None:
        if self._client is None:
            await self.push("421 4.7.0 Too many connections, try again later")
            assert self.transport is not None
            self.transport.close()
            return
        if self._proxy_timeout is None:
            # With PROXY the handler runs this from handle_PROXY, once the client IP is known.
            handler: DataReceiver = self.event_handler
            if not await handler.on_connect(self, self.session):
                assert self.transport is not None
                self.transport.close()
                return
        await super()._handle_client()

    async def smtp_EHLO(self, hostname: str) -> None:  # noqa: N802
        """EHLO, then pin the MAIL length allowance instead of letting it grow."""
        await super().smtp_EHLO(hostname)
        self.command_size_limits["MAIL"] = MAIL_COMMAND_LIMIT

    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802
        """DATA, streamed to the handler's writer line by line; see the module docstring."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        envelope = self.envelope
        assert isinstance(envelope, SinkEnvelope)
        if not envelope.rcpt_tos:
            await self.push("503 5.5.1 Error: need RCPT command")
            return
        if arg:
            await self.push("501 5.5.4 Syntax: DATA")
            return
        hook = self._handle_hooks.get("DATA_START")
        if hook is not None:
            status = await hook(self, self.session, envelope)
            if status is not None:
                await self.push(status)
                return
        writer = await self.event_handler.open_message(self, self.session, envelope)
        try:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            self._reset_timeout(self._data_timeout)
            refusal = await self._receive(writer)
        except BaseException:
            writer.abort()
            raise
        if refusal:
            writer.abort()
            self.envelope = self._create_envelope()
            await self.push(refusal)
            return
        envelope.writer = writer
        status = await self._call_handler_hook("DATA")
        self.envelope = self._create_envelope()
        self._reset_timeout()
        if status.startswith("250"):
            self._junk = 0  # progress: a message got through
        await self.push(status)

    async def _receive(self, writer: MessageWriter) -> str:
        """Copy DATA to ``writer`` until the end mark; the refusal to answer instead of
        storing (over the size limit, or the writer failed), or "".

        Either way the rest of DATA is read and dropped first, so the client sees the reply
        to its message, not to lines of it read as commands.

        Reads in bulk (whatever the socket delivered), not line by line: searching for
        CRLF.CRLF and unstuffing with ``bytes.replace`` keeps the per-message CPU cost close to
        stock aiosmtpd's, though we also store. See ``_DataStream`` for the boundary cases.
        """
        stream = _DataStream(self._reader, self.data_size_limit or 0, writer)
        try:
            await stream.run()
        except asyncio.IncompleteReadError as exc:
            raise ConnectionResetError("connection closed during DATA") from exc
        if stream.too_big:
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        if stream.failure:
            log.error("not stored: %s", stream.failure)
            return TEMPFAIL
        return ""


_END = b"\r\n.\r\n"
# Proper prefixes of the end mark, longest first: a chunk ending in one may be cut inside it.
_END_PREFIXES = (_END[:4], _END[:3], _END[:2], _END[:1])


class _DataStream:
    """DATA as a byte stream (RFC 5321 §4.1.1.4, §4.5.2).

    The stream is read as if preceded by the CRLF that ended the DATA command (``virtual``),
    so an empty message (".CRLF" at once) ends it too. ``StreamReader.readuntil`` finds the
    end mark inside its buffer. Raw bytes that might be the start of an end mark are held in
    ``carry`` and not written; then exactly the bytes that would complete the mark are read
    (a client must send at least that many more), so the end is never missed, nothing after
    it (a pipelined command) is consumed, and nothing of the mark is stored.
    """

    def __init__(self, reader: asyncio.StreamReader, limit: int, writer: MessageWriter) -> None:
        self.reader, self.limit, self.writer = reader, limit, writer
        self.carry = b"\r\n"  # raw bytes held back: a proper prefix of the end mark
        self.virtual = 2  # leading bytes of the stream that are DATA's CRLF, not content
        self.context = b""  # the last two raw bytes written, for unstuffing at chunk starts
        self.size = 0
        self.too_big = False
        self.failure = ""  # why the writer failed; the rest is then read and dropped

    async def run(self) -> None:
        """Consume DATA up to and including the end mark."""
        while True:
            if self.carry:
                more = await self.reader.readexactly(len(_END) - len(self.carry))
                if self.carry + more == _END:
                    self.carry = b""
                    self._write(_END[:2])  # the last line's CRLF is content
                    return
                self._feed(more)
                continue
            try:
                chunk = await self.reader.readuntil(_END)
            except asyncio.LimitOverrunError as exc:
                self._feed(await self.reader.read(exc.consumed))
                continue
            self._write(chunk[:-3])  # everything before ".CRLF"
            return

    # _feed and _write copy a chunk only where they must: with 100 sessions sending 100 KB
    # each, every extra copy held at once was another 10 MB of peak memory.
    def _feed(self, raw: bytes) -> None:
        pending = self.carry + raw if self.carry else raw
        keep = next((len(p) for p in _END_PREFIXES if pending.endswith(p)), 0)
        self.carry = pending[len(pending) - keep :] if keep else b""
        self._write(pending[: len(pending) - keep] if keep else pending)

    def _write(self, raw: bytes) -> None:
        data = _unstuff(self.context, raw)
        self.context = raw[-2:] if len(raw) >= 2 else (self.context + raw)[-2:]
        if self.virtual:
            skip = min(self.virtual, len(data))
            data, self.virtual = data[skip:], self.virtual - skip
        self.size += len(data)
        if self.limit and self.size > self.limit:
            self.too_big = True
        elif data and not self.failure:
            try:
                self.writer.write(data)
            except SmtpError as exc:
                self.failure = str(exc)


def _unstuff(context: bytes, raw: bytes) -> bytes:
    """Remove the stuffed dot of every line in ``raw`` (RFC 5321 §4.5.2); ``context`` is the
    two raw bytes before it, for a CRLF "." cut by the chunk boundary."""
    if raw[:1] == b"." and context.endswith(b"\r\n"):
        raw = raw[1:]
    elif raw[:2] == b"\n." and context.endswith(b"\r"):
        raw = b"\n" + raw[2:]
    return raw.replace(b"\r\n.", b"\r\n")
