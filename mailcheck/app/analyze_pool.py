"""Analyse a stream of messages on several cores: a fixed pool of worker processes
(``analyze_worker``), at most ``window`` messages read and not yet handed on, reports handed
on in input order.

Memory stays flat: the reader is pulled only while fewer than ``window`` messages are in
flight, and a report is dropped once handed on. The order (and so the output) is the same
whatever the number of workers: a finished report waits for the ones before it.

DNS: workers ask the parent, whose one shared resolver (cache, in-flight questions, evidence)
answers on the parent's event loop; see ``analyze_worker``. A worker that dies is replaced and
its message redone once; a message that ends two workers is recorded as stopped (MSG025).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from typing import Any

from mailcheck.app.analyze_message import MessageJob, MessageResult, result_of, stopped_report
from mailcheck.app.analyze_worker import serve
from mailcheck.base.errors import DnsError
from mailcheck.base.processes import MESSAGE_CPU_SECONDS
from mailcheck.dns.interface import RRType, normalize_name
from mailcheck.dns.snapshot import EvidenceResolver
from mailcheck.message.inputs import MessageInput

STOP_WAIT = 2.0  # seconds a worker gets to finish before it is killed


class _WorkerDiedError(Exception):
    """The worker's pipe closed in the middle of a message."""


class _Worker:
    """One worker process, its pipe, and the messages it sent that the parent has not read."""

    def __init__(self, context: ForkServerContext, job: MessageJob, cpu: int) -> None:
        ours, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()
        self.conn: Connection = ours
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._fd = ours.fileno()
        asyncio.get_running_loop().add_reader(self._fd, self._readable)
        ours.send(job)
        ours.send(cpu)

    def _readable(self) -> None:
        try:
            self.inbox.put_nowait(self.conn.recv())
        except (EOFError, OSError):
            self._stop_reading()
            self.inbox.put_nowait(None)

    def _stop_reading(self) -> None:
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self._fd)

    def send(self, message: object) -> None:
        """Send, or raise ``_WorkerDiedError`` when the worker is gone."""
        try:
            self.conn.send(message)
        except OSError as exc:
            raise _WorkerDiedError from exc

    def hang_up(self) -> None:
        """Close the pipe: the worker sees end of file at its next read and ends."""
        self._stop_reading()
        self.conn.close()

    def reap(self) -> None:
        """Wait (bounded) for it to end after ``hang_up``; kill it if it will not."""
        self.process.join(STOP_WAIT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(STOP_WAIT)


class WorkerPool:
    """``size`` worker processes analysing messages against ``job``, DNS from ``resolver``."""

    def __init__(
        self, job: MessageJob, resolver: EvidenceResolver, size: int, cpu: int = MESSAGE_CPU_SECONDS
    ) -> None:
        self.job, self.resolver, self.size, self.cpu = job, resolver, size, cpu
        self._context = multiprocessing.get_context("forkserver")
        # Imported once in the forkserver, so a new worker is ready at once.
        self._context.set_forkserver_preload(["mailcheck.app.analyze_worker"])
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: list[_Worker] = []

    def start(self) -> None:
        """Start the workers (inside the running event loop)."""
        for _ in range(self.size):
            self._idle.put_nowait(self._new())

    def _new(self) -> _Worker:
        worker = _Worker(self._context, self.job, self.cpu)
        self._all.append(worker)
        return worker

    def pids(self) -> tuple[int, ...]:
        """The live workers' process ids."""
        return tuple(w.process.pid or 0 for w in self._all if w.process.is_alive())

    async def analyse(self, seq: int, item: MessageInput) -> MessageResult:
        """One message's result, from the next idle worker. A worker that dies is replaced
        and the message redone once, so only a message that ends two workers is blamed."""
        for _attempt in range(2):
            worker = await self._idle.get()
            if not worker.process.is_alive():  # died while idle: not this message's doing
                self._retire(worker)
                worker = self._new()
            result: MessageResult | None = None
            try:
                result, stopped = await self._exchange(worker, seq, item)
            except _WorkerDiedError:
                stopped = True
            if stopped:
                self._retire(worker)
                worker = self._new()
            self._idle.put_nowait(worker)
            if result is not None:
                return result
        return result_of(stopped_report(item, self.job, "it ended two worker processes"), self.job)

    async def _exchange(
        self, worker: _Worker, seq: int, item: MessageInput
    ) -> tuple[MessageResult, bool]:
        """Send the message, answer the worker's DNS questions, return its result."""
        worker.send((seq, item))
        while (message := await worker.inbox.get()) is not None:
            if message[0] == "done":
                return message[2], message[3]
            reply = await self._answer(message[1], message[2])
            with contextlib.suppress(_WorkerDiedError):  # a stopped worker still sends its "done"
                worker.send(reply)
        raise _WorkerDiedError

    async def _answer(self, name: str, rrtype: RRType) -> tuple[object, DnsError | None, object]:
        """The shared resolver's outcome and the entry it recorded (the message's evidence)."""
        answer, error = None, None
        try:
            answer = await self.resolver.resolve(name, rrtype)
        except DnsError as exc:
            error = exc
        recorded = self.resolver.evidence().entries.get((normalize_name(name), rrtype))
        return answer, error, recorded

    def _retire(self, worker: _Worker) -> None:
        self._all.remove(worker)
        worker.hang_up()
        worker.reap()

    def close(self) -> None:
        """Stop every worker (at the end of the run, or on Ctrl-C): all hung up at once,
        then each waited for."""
        for worker in self._all:
            worker.hang_up()
        for worker in self._all:
            worker.reap()
        self._all.clear()


async def analyse_in_order(
    items: Iterable[MessageInput],
    pool: WorkerPool,
    on_result: Callable[[MessageResult], None],
    window: int,
) -> None:
    """Every item's result to ``on_result`` in input order, with at most ``window`` items
    read and not yet handed on."""
    pending: deque[asyncio.Task[MessageResult]] = deque()
    source: Iterator[tuple[int, MessageInput]] = enumerate(items)
    try:
        while True:
            while len(pending) < window and (next_item := next(source, None)) is not None:
                pending.append(asyncio.ensure_future(pool.analyse(*next_item)))
            if not pending:
                return
            on_result(await pending.popleft())
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
