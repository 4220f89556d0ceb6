"""The analysis workers: processes of the analyser's pool (``smtp.analyser``), each message
under a CPU-time limit, never in the sink's process (the event loop keeps its CPU and its GIL).

Each worker keeps one event loop and one live resolver (renewed every ``RESOLVER_LIFETIME``
seconds, so rotated DKIM keys are seen) and runs behind the sessions (``lower_priority``). A
message that uses more than ``cpu_seconds`` of CPU is stopped by ``SIGXCPU`` (``RLIMIT_CPU``,
set per batch) and recorded as such; a worker that dies anyway is replaced. Workers ignore
SIGINT and SIGTERM (they reach the whole process group; the analyser stops them) and die with
the analyser (``PR_SET_PDEATHSIG`` on the forkserver, which ends with the analyser).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from mailcheck.base.processes import (
    MESSAGE_CPU_SECONDS,
    CpuLimitError,
    cpu_limit,
    die_with_parent,
    raise_on_cpu_limit,
)
from mailcheck.dns.live import LiveResolver, ResolverConfig
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.smtp.analysis import SCHEMA, analyse_one

RESOLVER_LIFETIME = 60.0
NICE = 10


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


def lower_priority(idle: bool) -> None:
    """Run behind the sessions. ``idle``: only on CPU nothing else wants (``SCHED_IDLE``: any
    other task that wakes up preempts a worker at once; a worker holds no lock the sessions
    or the storage writer wait for, so it cannot hold them up from behind); else nice
    ``NICE``, a small share even when the machine is busy."""
    if idle and hasattr(os, "sched_setscheduler"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            return
        except OSError:
            pass
    os.nice(NICE)


def _init(
    config: ResolverConfig, profile: SenderProfile | None, cpu: int, idle: bool = True
) -> None:
    global _worker
    die_with_parent(os.getppid())  # the forkserver, which ends with the analyser
    # Receiving and storing come first: analysis catches up when the sessions leave CPU over.
    lower_priority(idle)
    for signum in (signal.SIGINT, signal.SIGTERM):  # the analyser stops us (SIGKILL)
        signal.signal(signum, signal.SIG_IGN)
    raise_on_cpu_limit()
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
    with cpu_limit(seconds):
        resolver = worker.resolver_now()

        async def every() -> list[dict[str, Any]]:
            jobs = (analyse_one(Path(path), resolver, worker.profile) for path in paths)
            return list(await asyncio.gather(*jobs))

        return worker.loop.run_until_complete(every())


class ProcessAnalyzer:
    """Runs ``analyse_file`` for batches of stored messages in worker processes (the
    analyser process's pool, see ``smtp.analyser``): one inter-process round trip per batch.
    """

    def __init__(
        self,
        config: ResolverConfig,
        profile: SenderProfile | None = None,
        workers: int = 1,
        cpu_seconds: int = MESSAGE_CPU_SECONDS,
        idle: bool = True,
    ) -> None:
        self._args = (config, profile, cpu_seconds, idle)
        self.workers = workers
        self._pool = self._new_pool()
        self._closing = False
        self.replaced = 0  # pools started again after a worker died

    def _new_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        # Imported once in the forkserver: a new worker is ready (and ignores Ctrl-C) at once,
        # instead of spending a second importing while a Ctrl-C could kill it.
        context.set_forkserver_preload([__name__, "mailcheck.smtp.forkserver"])
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init, initargs=self._args
        )

    @property
    def pids(self) -> list[int]:
        """The worker processes running now (for tests and benchmarks)."""
        return sorted((getattr(self._pool, "_processes", None) or {}).keys())

    async def analyse(self, paths: list[Path]) -> list[dict[str, Any]]:
        """The stored result of each message, in order (see ``analysis.analyse_file``)."""
        return await self._run([str(path) for path in paths])

    async def _run(self, paths: list[str], retry: bool = True) -> list[dict[str, Any]]:
        """One batch in a worker. A worker that died is replaced and its batch redone one
        message at a time, each twice, so only a message that kills it twice is blamed; a
        worker stopped with the sink leaves its batch unanalysed (redone at the next start)."""
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, _analyse_batch, paths)
        except BrokenProcessPool:
            if self._closing:
                raise asyncio.CancelledError from None
            if self._pool is pool:  # batches in flight on the same pool: replace it once
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool, self.replaced = self._new_pool(), self.replaced + 1
        if len(paths) > 1:
            return [(await self._run([path]))[0] for path in paths]
        if retry:
            return await self._run(paths, retry=False)
        return [{"schema": SCHEMA, "error": "the analysis worker died on this message"}]

    def close(self) -> None:
        """Stop the workers now (SIGKILL: they ignore SIGINT and SIGTERM); a batch in
        flight is dropped and analysed at the next start."""
        self._closing = True
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join(timeout=2)
