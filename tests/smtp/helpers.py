"""Small raw-SMTP client helpers for tests (asyncio streams, every wait bounded)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mailcheck.smtp.index import index_path, list_messages

TIMEOUT = 10


class RawClient:
    """A line-level SMTP client that lets a test send anything, including garbage."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int, greeting: bool = True) -> RawClient:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, limit=2**20), TIMEOUT
        )
        client = cls(reader, writer)
        if greeting:
            await client.reply()
        return client

    async def reply(self) -> str:
        """One complete (possibly multi-line) reply."""
        lines = []
        while True:
            line = await asyncio.wait_for(self.reader.readline(), TIMEOUT)
            if not line:
                raise ConnectionError("closed: " + " | ".join(lines))
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(text)
            if len(text) < 4 or text[3] != "-":
                return "\n".join(lines)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await asyncio.wait_for(self.writer.drain(), TIMEOUT)

    async def cmd(self, line: str | bytes) -> str:
        raw = line.encode() if isinstance(line, str) else line
        await self.send(raw + b"\r\n")
        return await self.reply()

    async def ehlo_mail_rcpt(
        self, sender: str = "a@example.com", rcpt: str = "b@example.net"
    ) -> None:
        assert (await self.cmd("EHLO client.test")).startswith("250")
        assert (await self.cmd(f"MAIL FROM:<{sender}>")).startswith("250")
        assert (await self.cmd(f"RCPT TO:<{rcpt}>")).startswith("250")

    async def close(self) -> None:
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), TIMEOUT)
        except (ConnectionError, TimeoutError):
            pass


def dot_stuff(message: bytes) -> bytes:
    """A message as it goes on the wire after DATA (RFC 5321 §4.5.2), with the final dot."""
    lines = message.split(b"\r\n")
    stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
    body = b"\r\n".join(stuffed)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def stored_messages(maildir: Path) -> list[Path]:
    return sorted((maildir / "new").iterdir())


def indexed(maildir: Path) -> list[dict[str, object]]:
    return list_messages(index_path(maildir), limit=10**9)
