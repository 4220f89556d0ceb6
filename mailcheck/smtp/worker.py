"""The sink's analysis in worker processes: never on the event loop, each message under a
CPU-time limit (like the storage writer, a process keeps the GIL away from the sessions).

Each worker keeps one event loop and one live resolver (renewed every ``RESOLVER_LIFETIME``
seconds, so rotated DKIM keys are seen) and runs at nice 10, behind the sessions. A message
that uses more than ``cpu_seconds`` of CPU is stopped by ``SIGXCPU`` (``RLIMIT_CPU``, set per
batch) and recorded as such; a worker that dies anyway is replaced. Workers ignore SIGINT
(Ctrl-C reaches the whole process group; the sink stops them) and die with the sink
(``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import FrameType
from typing import Any

from mailcheck.dns.live import LiveResolver, ResolverConfig
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.smtp.analysis import SCHEMA, analyse_file
from mailcheck.smtp.store import Stored
from mailcheck.smtp.writer import die_with_parent

CPU_SECONDS = 10
RESOLVER_LIFETIME = 60.0
NICE = 10
BATCH = 64  # messages per trip to the worker


class CpuLimitError(BaseException):
    """Raised inside a worker by SIGXCPU: the message used up its CPU time. Not an
    ``Exception``: the analysis's own broad handlers (decoders never raise) must not eat it."""


class _Worker:
    """The state of one worker process (module-global there, set by ``_init``)."""

    def __init__(self, config: ResolverConfig, profile: SenderProfile | None, cpu: int) -> None:
        self.config, self.profile, self.cpu = config, profile, cpu
        self.loop = asyncio.new_event_loop()
        self.resolver = LiveResolver(config)
        self.born = time.monotonic()

    def resolver_now(self) -> LiveResolver:
        if time.monotonic() - self.born > RESOLVER_LIFETIME:
            self.resolver, self.born = LiveResolver(self.config), time.monotonic()
        return self.resolver


_worker: _Worker | None = None


def _on_xcpu(_signum: int, _frame: FrameType | None) -> None:
    raise CpuLimitError


def _init(config: ResolverConfig, profile: SenderProfile | None, cpu: int) -> None:
    global _worker
    die_with_parent(os.getppid())  # the forkserver, which ends when the sink does
    # Receiving and storing come first: analysis catches up when the sessions leave CPU over.
    os.nice(NICE)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGXCPU, _on_xcpu)
    _worker = _Worker(config, profile, cpu)


def _analyse_batch(paths: list[str]) -> list[dict[str, Any]]:
    """Messages in the worker, concurrently (their DNS waits overlap), under one CPU budget;
    when a batch runs over, each message is redone alone so only the culprit is stopped."""
    worker = _worker
    assert worker is not None, "_init first"
    try:
        return _within_cpu(worker, worker.cpu, paths)
    except CpuLimitError:
        # the loop was interrupted mid-step: go on with a fresh one
        worker.loop = asyncio.new_event_loop()
        worker.resolver = LiveResolver(worker.config)
        if len(paths) == 1:
            return [{"schema": SCHEMA, "error": f"analysis stopped after {worker.cpu} s of CPU"}]
        return [_analyse_batch([path])[0] for path in paths]


def _within_cpu(worker: _Worker, seconds: int, paths: list[str]) -> list[dict[str, Any]]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    try:
        resolver = worker.resolver_now()

        async def one(path: str) -> dict[str, Any]:
            coro = analyse_file(Path(path), resolver, worker.profile)
            return await asyncio.wait_for(coro, timeout=60)

        async def every() -> list[dict[str, Any]]:
            return list(await asyncio.gather(*(one(p) for p in paths)))

        return worker.loop.run_until_complete(every())
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, hard))


class ProcessAnalyzer:
    """An ``Analyzer`` for ``SinkHandler`` that runs ``analyse_file`` in worker processes.

    Requests are batched while a batch is in the worker (as the storage writer batches
    commits): one inter-process round trip per batch, not per message, which was most of the
    sink's own CPU cost of analysis (measured: 1.9 of 2.3 ms per 2 KB message unbatched).
    """

    def __init__(
        self,
        config: ResolverConfig,
        profile: SenderProfile | None = None,
        workers: int = 1,
        cpu_seconds: int = CPU_SECONDS,
    ) -> None:
        self._args = (config, profile, cpu_seconds)
        self.workers = workers
        self._pool = self._new_pool()
        self._pending: list[tuple[str, asyncio.Future[dict[str, Any]]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._closing = False

    def _new_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        # Imported once in the forkserver: a new worker is ready (and ignores Ctrl-C) at once,
        # instead of spending a second importing while a Ctrl-C could kill it.
        context.set_forkserver_preload([__name__])
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init, initargs=self._args
        )

    async def __call__(self, path: Path, stored: Stored | None = None) -> dict[str, Any]:
        """See ``analysis.analyse_file``."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending.append((str(path), future))
        if self._flusher is None:
            self._flusher = asyncio.ensure_future(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
                results = await self._run([path for path, _ in batch])
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._flusher = None

    async def _run(self, paths: list[str], retry: bool = True) -> list[dict[str, Any]]:
        """One batch in a worker. A worker that died is replaced and its batch redone one
        message at a time, each twice, so only a message that kills it twice is blamed; a
        worker stopped with the sink leaves its batch unanalysed (redone at the next start)."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, _analyse_batch, paths)
        except BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            if self._closing:
                raise asyncio.CancelledError from None
            self._pool = self._new_pool()
        if len(paths) > 1:
            return [(await self._run([path]))[0] for path in paths]
        if retry:
            return await self._run(paths, retry=False)
        return [{"schema": SCHEMA, "error": "the analysis worker died on this message"}]

    async def close(self) -> None:
        """Stop the workers now: queued analyses are dropped (they run at the next start)."""
        self._closing = True
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        for _, future in self._pending:
            future.cancel()
        self._pending = []
        await asyncio.to_thread(self._terminate)

    def _terminate(self) -> None:
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=2)
