"""Group commit for the sink's Maildir, done by a separate writer process (``writer``).

Kept apart from ``store`` so the durability protocol reads in one place: every message that
arrives while a batch is being made durable joins the next batch; the writer writes all files,
fsyncs all, renames all into ``new/``, fsyncs ``new/`` once and commits the index rows, then
answers for the batch. Only then does a session get its 250. If the writer dies or stops
answering, its batch fails (the sink answers 451, the client retries), never 250, and the
next batch starts a new writer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)
HEADER = struct.Struct("!I")
READY = b"ready"
START_TIMEOUT = 30.0
BATCH_TIMEOUT = 120.0  # fsyncs of a big batch on a slow disk; then the writer counts as hung
EXIT_TIMEOUT = 10.0
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent


def encode(payload: object) -> bytes:
    """One frame: length, then the pickled payload (only ever between sink and its writer)."""
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


class Committable(Protocol):
    """A message waiting to be made durable (``store.Incoming``)."""

    def hand_over(self) -> tuple[str, bytes | None, object]:
        """Key, the whole file if still in memory (else it is complete in tmp/), index row."""


class ChildProcess:
    """A helper process of the sink (``python -m MODULE MAILDIR SINK_PID``: the storage
    writer, the analyser) and the frames to and from it (stdin / stdout pipes)."""

    def __init__(
        self, maildir: Path, module: str = "mailcheck.smtp.writer", name: str = "storage writer"
    ) -> None:
        self.maildir = maildir
        self.module, self.name = module, name
        self.proc: subprocess.Popen[bytes] | None = None
        self._buffer = bytearray()
        self._replies: asyncio.Queue[object] = asyncio.Queue()

    @property
    def running(self) -> bool:
        """True between a successful ``start`` and ``stop``."""
        return self.proc is not None

    async def start(self, setup: bytes = b"") -> None:
        """Start the child, send it ``setup`` (a frame, if any) and wait (bounded) until it
        is ready (the writer: until it holds its lock)."""
        env = dict(os.environ)
        # A source checkout run from another folder must find the package too.
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")])
        )
        argv = [sys.executable, "-m", self.module, str(self.maildir), str(os.getpid())]
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert proc.stdin is not None and proc.stdout is not None
        if setup:
            proc.stdin.write(setup)  # before non-blocking mode: the pipe is empty, it fits
            proc.stdin.flush()
        self.proc, self._buffer, self._replies = proc, bytearray(), asyncio.Queue()
        os.set_blocking(proc.stdin.fileno(), False)
        asyncio.get_running_loop().add_reader(proc.stdout.fileno(), self._readable)
        try:
            ready = await self.receive(START_TIMEOUT)
        except OSError:
            await self.stop()
            raise
        if ready != READY:
            await self.stop()
            raise OSError(f"the {self.name} did not start")

    @property
    def pid(self) -> int:
        """The writer's process id (0 when none runs)."""
        return self.proc.pid if self.proc is not None else 0

    def _readable(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
        except OSError:
            chunk = b""
        if not chunk:  # the writer is gone: nothing more will ever be acknowledged
            asyncio.get_running_loop().remove_reader(self.proc.stdout.fileno())
            self._replies.put_nowait(None)
            return
        self._buffer += chunk
        while len(self._buffer) >= HEADER.size:
            size = HEADER.unpack_from(self._buffer)[0]
            if len(self._buffer) < HEADER.size + size:
                break
            body = bytes(self._buffer[HEADER.size : HEADER.size + size])
            del self._buffer[: HEADER.size + size]
            self._replies.put_nowait(pickle.loads(body))

    async def send(self, frame: bytes, timeout: float) -> None:
        """Write one frame without blocking the event loop (bounded)."""
        assert self.proc is not None and self.proc.stdin is not None
        fd, view = self.proc.stdin.fileno(), memoryview(frame)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                ready: asyncio.Future[None] = loop.create_future()
                loop.add_writer(fd, _wake, ready)
                try:
                    await asyncio.wait_for(ready, max(0.0, deadline - loop.time()))
                finally:
                    loop.remove_writer(fd)

    async def receive(self, timeout: float | None) -> object:
        """The next reply; ``OSError`` if the child died or did not answer in time."""
        try:
            reply = await asyncio.wait_for(self._replies.get(), timeout)
        except TimeoutError:
            raise OSError(f"the {self.name} did not answer in time") from None
        if reply is None:
            self._replies.put_nowait(None)  # every later wait fails at once too
            raise OSError(f"the {self.name} exited")
        return reply

    async def stop(self) -> None:
        """Kill the writer: nothing more from it may count. Reaped off the event loop (a
        writer stuck in the kernel exits only when its I/O ends; a new one waits for its lock).
        """
        proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.kill()
        self._release(proc)
        self._replies.put_nowait(None)  # a reply still awaited will never come
        try:
            await asyncio.to_thread(proc.wait, EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.error("%s %d has not exited %gs after SIGKILL", self.name, proc.pid, EXIT_TIMEOUT)

    async def finish(self, timeout: float) -> None:
        """End its input and wait (bounded, off the event loop, its frames still read) until
        it exits; one that does not is killed."""
        proc = self.proc
        if proc is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()  # end of input: the child winds down
        try:
            await asyncio.to_thread(proc.wait, timeout)
        except subprocess.TimeoutExpired:
            log.error("%s %d did not exit in %gs; killed", self.name, proc.pid, timeout)
        await self.stop()

    def close(self, timeout: float = 30.0) -> None:
        """Let the writer finish its batch and exit (bounded), then release the pipes."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()  # end of input: the writer exits after its batch
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.error("%s %d did not exit in %gs; killed", self.name, proc.pid, timeout)
            proc.kill()
        self._release(proc)

    @staticmethod
    def _release(proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            asyncio.get_running_loop().remove_reader(proc.stdout.fileno())
        except RuntimeError:  # no running loop: nothing was registered in one
            pass
        proc.stdin.close()
        proc.stdout.close()


def _wake(ready: asyncio.Future[None]) -> None:
    # A writer callback runs on every loop pass while the pipe is writable, until removed.
    if not ready.done():
        ready.set_result(None)


class BatchCommitter:
    """Group commit: every message that arrives while a batch is being made durable joins the
    next batch, and a batch costs one frame each way to the writer process.

    Why a process: with the same batches in a commit thread, each of its short system calls
    dropped and retook the GIL while the event loop ran, so a batch of ~9 small messages took
    6.5 ms instead of ~2 ms alone and durable 2 KB throughput stayed at 0.70 of a bare
    server's (``benchmarks/sink_throughput.py``); with the writer process it is above 0.9.
    """

    def __init__(self, maildir: Path) -> None:
        self.writer = ChildProcess(maildir)
        self._pending: list[tuple[Committable, asyncio.Future[None]]] = []
        self._runner: asyncio.Task[None] | None = None
        self.runs = 0  # batches written, for tests and tuning
        self.restarts = 0  # writers started again after one failed

    async def commit(self, incoming: Committable) -> None:
        """Return once ``incoming`` is durable and indexed; raise ``OSError`` otherwise."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((incoming, future))
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        await asyncio.shield(future)

    async def _run(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                self.runs += 1
                errors = await self._commit_batch([incoming for incoming, _ in batch])
                for (_, future), error in zip(batch, errors, strict=True):
                    if error is None:
                        future.set_result(None)
                    else:
                        future.set_exception(OSError(error))
        finally:
            self._runner = None

    async def _commit_batch(self, batch: list[Committable]) -> list[str | None]:
        """An error per message (None: durable); one that cannot be handed over (its spilled
        file cannot be flushed: disk full) fails alone, the others still go to the writer."""
        errors: list[str | None] = [None] * len(batch)
        items, handed = [], []
        for n, incoming in enumerate(batch):
            try:
                items.append(incoming.hand_over())
                handed.append(n)
            except OSError as exc:
                errors[n] = f"cannot write the message file: {exc.strerror or exc}"
        if items:
            for n, error in zip(handed, await self._write(items), strict=True):
                errors[n] = error
        return errors

    async def _write(self, items: list[tuple[str, bytes | None, object]]) -> list[str | None]:
        try:
            if not self.writer.running:  # the last one failed: its lock is free again
                self.restarts += 1
                await self.writer.start()
            await self.writer.send(encode(items), BATCH_TIMEOUT)
            reply = await self.writer.receive(BATCH_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            failure = str(exc) or "the storage writer failed"
        except Exception as exc:  # a bug must not leave sessions waiting forever
            failure = f"commit failed: {type(exc).__name__}"
        else:
            if isinstance(reply, list) and len(reply) == len(items):
                return reply
            failure = "the storage writer answered out of step"
        # Whatever it did with this batch is unacknowledged; the next batch gets a new writer.
        log.error("storage writer failed: %s; %d message(s) answered 451", failure, len(items))
        await self.writer.stop()
        return [failure] * len(items)

    async def finish(self, timeout: float = BATCH_TIMEOUT) -> None:
        """Wait (bounded) until the batches in flight are answered."""
        if self._runner is not None:
            await asyncio.wait({self._runner}, timeout=timeout)

    def close(self) -> None:
        """Stop the writer (it finishes a batch in flight first, bounded)."""
        self.writer.close()
