"""A small, bounded HTTPS GET for MTA-STS policies (stdlib ``ssl`` + asyncio, no redirects).

RFC 8461 §3.3: the certificate must be valid for the policy host, and 3xx redirects are never
followed. Everything is capped: one overall timeout, header and body sizes. The result is data
(an ``error`` text instead of an exception), because a failed fetch is a finding.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field

from mailcheck import __version__

MAX_BODY = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True)
class FetchOptions:
    """Where and how to connect; tests point ``address``/``port`` at loopback."""

    port: int = 443
    timeout: float = 10.0
    ca_file: str | None = None  # None: the system trust store
    address: str | None = None  # connect here instead of the resolved address
    max_body: int = MAX_BODY
    enabled: bool = True  # False when replaying a snapshot: no network beyond the snapshot


@dataclass(frozen=True)
class FetchResult:
    """What came back, or why nothing usable did."""

    url: str
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""
    error_kind: str = ""  # "", "timeout", "connect", "certificate", "tls", "http", "too-large"

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class _FetchError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


async def https_get(host: str, path: str, address: str, options: FetchOptions) -> FetchResult:
    """GET ``https://host/path`` from ``address``, verifying the certificate for ``host``."""
    url = f"https://{host}{path}"
    context = ssl.create_default_context(cafile=options.ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(options.timeout):
            reader, writer = await _connect(address, host, options.port, context)
            request = (
                f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: mailcheck/{__version__}\r\n"
                "Accept: text/plain\r\nConnection: close\r\n\r\n"
            )
            writer.write(request.encode("ascii"))
            await writer.drain()
            status, headers = await _read_head(reader)
            body = await _read_body(reader, headers, options.max_body)
            return FetchResult(url, status, headers, body)
    except TimeoutError:
        return FetchResult(url, error=f"no answer within {options.timeout} s", error_kind="timeout")
    except _FetchError as exc:
        return FetchResult(url, error=str(exc), error_kind=exc.kind)
    finally:
        if writer is not None:
            writer.close()
            await _closed(writer)


async def _connect(
    address: str, host: str, port: int, context: ssl.SSLContext
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    try:
        return await asyncio.open_connection(address, port, ssl=context, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        message = f"certificate not valid for {host}: {exc.verify_message}"
        raise _FetchError("certificate", message) from exc
    except ssl.SSLError as exc:
        raise _FetchError("tls", f"TLS handshake failed: {exc.reason or exc}") from exc
    except OSError as exc:
        message = f"cannot connect to {address}:{port}: {exc.strerror or exc}"
        raise _FetchError("connect", message) from exc


async def _closed(writer: asyncio.StreamWriter) -> None:
    try:
        async with asyncio.timeout(2):
            await writer.wait_closed()
    except (TimeoutError, OSError, ssl.SSLError):
        pass  # the peer vanished or stalls the TLS close: nothing left to read anyway


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as exc:
        raise _FetchError("http", "response headers too large") from exc
    except (asyncio.IncompleteReadError, OSError, ssl.SSLError) as exc:
        raise _FetchError("http", f"connection closed before a complete response: {exc}") from exc
    if len(raw) > MAX_HEADER_BYTES:
        raise _FetchError("http", "response headers too large")
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise _FetchError("http", f"not an HTTP/1.x response: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.setdefault(name.strip().lower(), value.strip())
    return int(parts[1]), headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str], cap: int) -> bytes:
    try:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return await _read_chunked(reader, cap)
        length = headers.get("content-length", "")
        if length.isdigit():
            if int(length) > cap:
                raise _FetchError("too-large", f"policy is {length} bytes, more than {cap}")
            return await reader.readexactly(int(length))
        body = await reader.read(cap + 1)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError, ssl.SSLError) as exc:
        raise _FetchError("http", f"body cut short: {exc}") from exc
    if len(body) > cap:
        raise _FetchError("too-large", f"policy is more than {cap} bytes")
    return body


async def _read_chunked(reader: asyncio.StreamReader, cap: int) -> bytes:
    body = b""
    while True:  # bounded: every round adds to body, which is capped below
        size_line = (await reader.readuntil(b"\r\n")).split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError as exc:
            raise _FetchError("http", "malformed chunked encoding") from exc
        if size == 0:
            return body
        if len(body) + size > cap:
            raise _FetchError("too-large", f"policy is more than {cap} bytes")
        body += await reader.readexactly(size)
        await reader.readexactly(2)
