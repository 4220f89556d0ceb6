"""kill -9 the sink during load, several times: nothing acknowledged is ever lost or damaged.

A Python load client (10 sessions) records the SHA-256 of every message it got a 250 for.
The sink runs as ``python -m mailcheck sink`` in a child process and is SIGKILLed at
different moments, then restarted on the same Maildir; its startup check must leave index
and Maildir in agreement, and every acknowledged message must be there, intact, once.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random

from mailcheck.smtp.index import index_path, list_messages
from mailcheck.smtp.store import read_stored

from .helpers import dot_stuff
from .subprocess_sink import SinkProcess

SESSIONS = 10


class Load:
    """Sessions that keep sending until stopped, surviving the sink's death."""

    def __init__(self) -> None:
        self.port = 0
        self.acked: dict[str, str] = {}  # token -> sha256 of the message as sent
        self.stopping = False
        self.counter = 0
        self.rng = random.Random(1234)

    def message(self) -> tuple[str, bytes]:
        self.counter += 1
        token = f"t{self.counter:07d}"
        size = self.rng.choice([200, 3000, 70_000, 300_000])
        body = b"".join(b"%d line %s\r\n" % (i, token.encode()) for i in range(size // 20))
        return token, f"X-Token: {token}\r\nSubject: crash\r\n\r\n".encode() + body

    async def session(self) -> None:
        while not self.stopping:
            try:
                await self._one_connection()
            except (OSError, EOFError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                await asyncio.sleep(0.05)

    async def _one_connection(self) -> None:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port), 5)
        try:
            await self._expect(reader, b"220")
            await self._cmd(reader, writer, b"EHLO crash.test", b"250")
            while not self.stopping:
                token, message = self.message()
                await self._cmd(reader, writer, b"MAIL FROM:<crash@example.com>", b"250")
                await self._cmd(reader, writer, b"RCPT TO:<sink@example.net>", b"250")
                await self._cmd(reader, writer, b"DATA", b"354")
                writer.write(dot_stuff(message))
                await self._expect(reader, b"250")
                self.acked[token] = hashlib.sha256(message).hexdigest()
        finally:
            writer.close()

    async def _cmd(self, reader, writer, line: bytes, code: bytes) -> None:
        writer.write(line + b"\r\n")
        await self._expect(reader, code)

    async def _expect(self, reader, code: bytes) -> None:
        while True:
            line = await asyncio.wait_for(reader.readline(), 10)
            if not line:
                raise EOFError
            if line[3:4] != b"-":
                break
        if not line.startswith(code):
            raise ValueError(line)


async def test_kill_9_during_load_loses_nothing_acknowledged(tmp_path):
    maildir = tmp_path / "Maildir"
    load = Load()
    sink = await asyncio.to_thread(SinkProcess(maildir, "--max-per-client", "100").start)
    load.port = sink.port
    tasks = [asyncio.create_task(load.session()) for _ in range(SESSIONS)]
    startups = []
    try:
        for delay in (0.4, 1.1, 0.25, 0.8, 1.6):
            await asyncio.sleep(delay)
            before = len(load.acked)
            await asyncio.to_thread(sink.kill)
            assert len(load.acked) >= before
            sink = await asyncio.to_thread(SinkProcess(maildir, "--max-per-client", "100").start)
            startups.append(sink.startup)
            load.port = sink.port
        await asyncio.sleep(0.5)
    finally:
        load.stopping = True
        await asyncio.wait(tasks, timeout=20)
        await asyncio.to_thread(sink.stop)
    assert len(load.acked) > 50, "the load never got going"
    # One more start: the check must find nothing left to repair after a clean stop.
    final = await asyncio.to_thread(SinkProcess(maildir).start)
    await asyncio.to_thread(final.stop)
    assert not any("startup:" in line for line in final.startup), final.startup
    _check_store(maildir, load.acked)


def _check_store(maildir, acked: dict[str, str]) -> None:
    stored: dict[str, list[str]] = {}
    keys_to_sha = {}
    for path in sorted((maildir / "new").iterdir()):
        _envelope, body = read_stored(path)
        token = body.split(b"\r\n", 1)[0].removeprefix(b"X-Token: ").decode()
        stored.setdefault(token, []).append(hashlib.sha256(body).hexdigest())
        keys_to_sha[path.name] = hashlib.sha256(body).hexdigest()
    for token, digest in acked.items():
        assert stored.get(token) == [digest], f"acknowledged {token} missing or damaged"
    rows = list_messages(index_path(maildir), limit=10**9)
    assert {r["key"]: r["sha256"] for r in rows} == keys_to_sha  # index agrees with Maildir
    assert os.listdir(maildir / "tmp") == []
