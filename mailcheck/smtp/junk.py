"""Command-line hygiene for sink sessions: CRLF-only command lines, commands without progress,
and addresses no MTA sends.

Postfix is the model: a command line ending in a bare LF is refused (``smtpd_forbid_bare_newline``),
a client that keeps sending commands without getting a message through is disconnected
(``smtpd_junk_command_limit``), and a path with a NUL or an unterminated quote is a syntax error
(501). Long lines and 8-bit text stay accepted: real MTAs send them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

JUNK_LIMIT = 100  # commands without an accepted message (Postfix's default limit is 100)
BARE_LF = b"500 5.5.2 Error: bare <LF> received\r\n"
TOO_MUCH_JUNK = "421 4.7.0 Too many commands without progress, closing connection"
# Commands that move a message forward; every other command line is counted as junk until a
# message is accepted (RCPT is bounded by the recipient limit, DATA ends in a message).
_PROGRESS = (b"RCPT", b"DATA")


class CommandReader(asyncio.StreamReader):
    """The session's reader: command lines (``readuntil(b"\\n")``) pass through ``on_line``;
    a line that ends in a bare LF is answered by ``on_bare_lf`` and never executed."""

    on_line: Callable[[bytes], None] | None = None
    on_bare_lf: Callable[[], None] | None = None
    _overlong = False  # the next line is the tail of an overlong one aiosmtpd is skipping

    async def readuntil(self, separator: Any = b"\n") -> bytes:
        """See ``asyncio.StreamReader.readuntil``."""
        while True:
            try:
                line = await super().readuntil(separator)
            except asyncio.LimitOverrunError:
                self._overlong = True
                raise
            if separator != b"\n":
                return line  # DATA and PROXY reads: not command lines
            if self._overlong:
                self._overlong = False
                return line
            if self.on_line is not None:
                self.on_line(line)
            if line.endswith(b"\r\n") or self.on_bare_lf is None:
                return line
            self.on_bare_lf()


def adopt(reader: asyncio.StreamReader) -> CommandReader:
    """Turn aiosmtpd's ``StreamReader`` into a ``CommandReader`` in place (its buffer and
    transport stay; aiosmtpd made it before the session could choose the class)."""
    reader.__class__ = CommandReader
    assert isinstance(reader, CommandReader)
    return reader


def is_progress(line: bytes) -> bool:
    """Whether this command line moves a message forward (not junk)."""
    return line[:4].upper() in _PROGRESS


def is_bad_path(address: str) -> bool:
    """A parsed MAIL/RCPT path no MTA sends: control characters (NUL ...) or an unterminated
    quoted local part (``<">x@x.example>``)."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in address):
        return True
    quotes, escaped = 0, False
    for ch in address:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quotes += 1
    return quotes % 2 == 1 or (quotes > 0 and "@" not in address.rpartition('"')[2])
