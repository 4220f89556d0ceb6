"""A loopback HTTPS server for tests: canned responses per path, or a peer that never answers."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from tests.tlscerts import CertFiles

HANG = b"<hang>"  # as a response: read the request, then say nothing until the test ends


@dataclass
class HttpsServer:
    """Where the server listens and what it was asked."""

    port: int
    requests: list[str] = field(default_factory=list)


def response(status: str, body: bytes, content_type: str = "text/plain", extra: str = "") -> bytes:
    """A complete HTTP/1.1 response with Content-Length."""
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
    )
    return head.encode() + body


@contextlib.asynccontextmanager
async def serve_https(cert: CertFiles, routes: Mapping[str, bytes]) -> AsyncIterator[HttpsServer]:
    """Serve ``routes`` (path -> raw response) on 127.0.0.1:<free port> until the block ends."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert.cert, cert.key)
    stop = asyncio.Event()
    state = HttpsServer(0)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            path = head.split(b" ", 2)[1].decode()
            state.requests.append(path)
            answer = routes.get(path, response("404 Not Found", b"no"))
            if answer == HANG:
                await asyncio.wait_for(stop.wait(), 30)
            else:
                writer.write(answer)
                await writer.drain()
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError):
            pass  # the client hung up or failed the handshake: that is what some tests do
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 2)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        stop.set()
        server.close()
        await asyncio.wait_for(server.wait_closed(), 10)
