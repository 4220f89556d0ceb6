"""A minimal, bounded SMTP client session for the probe: replies, commands, STARTTLS.

Every read has a timeout, replies are capped in lines and length, and every line sent or
received goes into a capped transcript. Socket and TLS errors become ``SmtpError``.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from dataclasses import dataclass

from mailcheck.base.errors import SmtpError

MAX_REPLY_LINES = 100
MAX_LINE = 1000  # RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; be generous
MAX_TRANSCRIPT = 200

_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)")


@dataclass(frozen=True)
class Reply:
    """One SMTP reply: the code, its lines' text, and the enhanced status code if given."""

    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """All lines joined with spaces."""
        return " ".join(self.lines)

    @property
    def enhanced(self) -> str:
        """The RFC 3463 status code at the start of the text (``"5.7.1"``), or ""."""
        match = _ENHANCED.match(self.lines[0] if self.lines else "")
        return ".".join(match.groups()) if match else ""

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class SmtpTimeoutError(SmtpError):
    """The server did not answer within the time limit."""


class SmtpSession:
    """One connection to an SMTP server, spoken line by line."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        self._reader, self._writer, self._timeout = reader, writer, timeout
        self.transcript: list[str] = []

    @classmethod
    async def connect(cls, address: str, port: int, timeout: float) -> SmtpSession:
        """Open a TCP connection (bounded by ``timeout``)."""
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(address, port, limit=MAX_LINE * 4)
        except TimeoutError as exc:
            raise SmtpTimeoutError(f"{address}:{port}: no connection within {timeout} s") from exc
        except OSError as exc:
            raise SmtpError(f"{address}:{port}: cannot connect: {exc.strerror or exc}") from exc
        return cls(reader, writer, timeout)

    def _log(self, line: str) -> None:
        if len(self.transcript) < MAX_TRANSCRIPT:
            self.transcript.append(line[:MAX_LINE])
        elif len(self.transcript) == MAX_TRANSCRIPT:
            self.transcript.append("(transcript cut)")

    async def read_reply(self) -> Reply:
        """Read one (possibly multi-line) reply."""
        lines: list[str] = []
        code = ""
        try:
            async with asyncio.timeout(self._timeout):
                while len(lines) < MAX_REPLY_LINES:
                    raw = await self._reader.readline()
                    if not raw:
                        raise SmtpError("the server closed the connection")
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    self._log(f"S: {line}")
                    if len(line) < 3 or not line[:3].isdigit() or line[3:4] not in ("", " ", "-"):
                        raise SmtpError(f"not an SMTP reply: {line[:80]!r}")
                    code = line[:3]
                    lines.append(line[4:])
                    if line[3:4] != "-":
                        return Reply(int(code), tuple(lines))
        except TimeoutError as exc:
            self._log(f"(no reply within {self._timeout} s)")
            raise SmtpTimeoutError(f"no reply within {self._timeout} s") from exc
        except (OSError, ValueError) as exc:  # ValueError: a line beyond the stream limit
            raise SmtpError(f"connection failed: {exc}") from exc
        raise SmtpError(f"reply longer than {MAX_REPLY_LINES} lines")

    async def command(self, line: str) -> Reply:
        """Send one command line and read its reply."""
        if "\r" in line or "\n" in line:  # a smuggled line break would inject a command
            raise SmtpError(f"refusing to send a command with a line break: {line[:80]!r}")
        self._log(f"C: {line}")
        try:
            self._writer.write(line.encode("utf-8") + b"\r\n")
            async with asyncio.timeout(self._timeout):
                await self._writer.drain()
        except TimeoutError as exc:
            raise SmtpTimeoutError(f"could not send within {self._timeout} s") from exc
        except OSError as exc:
            raise SmtpError(f"connection failed: {exc}") from exc
        return await self.read_reply()

    async def start_tls(self, context: ssl.SSLContext, server_hostname: str) -> bytes:
        """Upgrade after ``220`` to STARTTLS; returns the server certificate (DER)."""
        try:
            async with asyncio.timeout(self._timeout):
                await self._writer.start_tls(context, server_hostname=server_hostname)
        except TimeoutError as exc:
            raise SmtpTimeoutError(f"TLS handshake took more than {self._timeout} s") from exc
        except ssl.SSLCertVerificationError:
            raise  # the caller reports this and retries without verification
        except (ssl.SSLError, OSError) as exc:
            raise SmtpError(f"TLS handshake failed: {exc}") from exc
        ssl_object = self._writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        self._log(f"(TLS established: {ssl_object.version() if ssl_object else '?'})")
        return der or b""

    async def close(self) -> None:
        """Close the connection (bounded)."""
        self._writer.close()
        try:
            async with asyncio.timeout(2):
                await self._writer.wait_closed()
        except (TimeoutError, OSError, ssl.SSLError):
            pass  # the server already dropped us, or stalls the TLS close
