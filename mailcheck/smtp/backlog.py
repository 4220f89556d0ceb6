"""The sink's side of analysis: an ``AnalysisService`` is told that messages were stored (a
wake-up, nothing else) and hands back the rows it analysed; the backlog is the index's rows
without an analysis (``pickup``), so the sessions never wait for it and it survives a stop.

``AnalyserProcess``, the default, runs ``pickup.Pickup`` in the analyser process
(``smtp.analyser``) with its pool of workers; ``pickup.InlineAnalysis`` runs it on the sink's
loop (tests, a given resolver).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mailcheck.base.processes import MESSAGE_CPU_SECONDS
from mailcheck.dns.live import ResolverConfig
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.smtp.commit import ChildProcess, encode
from mailcheck.smtp.pickup import Report

log = logging.getLogger(__name__)
WORKERS = min(2, os.cpu_count() or 1)
WAKE = b"w"


class AnalysisService(Protocol):
    """What the sink needs of its analysis."""

    async def start(self, maildir: Path, report: Report, report_after: int) -> None:
        """Start taking unanalysed messages (earlier runs' first); rows with an id above
        ``report_after`` go to ``report`` once analysed."""

    def wake(self) -> None:
        """Messages were stored: cheap, and called once per message."""

    async def stop(self, timeout: float) -> None:
        """Stop (bounded); what is not analysed stays so in the index for the next start."""


@dataclass(frozen=True)
class Setup:
    """What the analyser process needs besides its Maildir (its first frame on stdin)."""

    config: ResolverConfig
    profile: SenderProfile | None
    workers: int
    cpu_seconds: int
    idle: bool  # workers on idle CPU only (see ``worker.lower_priority``)
    report_after: int  # rows with a higher id were stored by this run: sent back


class AnalyserProcess:
    """The analyser process (``smtp.analyser``): live DNS, ``workers`` worker processes, each
    message under ``cpu_seconds`` of CPU, on idle CPU only unless ``idle`` is off."""

    def __init__(
        self,
        config: ResolverConfig,
        profile: SenderProfile | None = None,
        workers: int = WORKERS,
        cpu_seconds: int = MESSAGE_CPU_SECONDS,
        idle: bool = True,
    ) -> None:
        self.config, self.profile = config, profile
        self.workers, self.cpu_seconds, self.idle = workers, cpu_seconds, idle
        self.child: ChildProcess | None = None
        self._reader: asyncio.Future[None] | None = None
        self._wake_due = False

    @property
    def pid(self) -> int:
        """The analyser's process id (0 when none runs)."""
        return self.child.pid if self.child is not None else 0

    async def start(self, maildir: Path, report: Report, report_after: int) -> None:
        """Start the analyser and wait (bounded) until it has the index open."""
        setup = Setup(
            self.config, self.profile, self.workers, self.cpu_seconds, self.idle, report_after
        )
        child = ChildProcess(maildir, "mailcheck.smtp.analyser", "analyser")
        await child.start(encode(setup))
        self.child = child
        self._reader = asyncio.ensure_future(self._read(child, report))

    @staticmethod
    async def _read(child: ChildProcess, report: Report) -> None:
        while True:
            try:
                rows: Any = await child.receive(None)
            except OSError:
                return  # stopped, or died: the backlog waits in the index for the next start
            report(rows)

    def wake(self) -> None:
        """One byte per pass of the event loop, however many messages were stored in it."""
        if not self._wake_due:
            self._wake_due = True
            asyncio.get_running_loop().call_soon(self._send_wake)

    def _send_wake(self) -> None:
        self._wake_due = False
        proc = self.child.proc if self.child is not None else None
        if proc is None or proc.stdin is None:
            return
        try:
            os.write(proc.stdin.fileno(), WAKE)
        except BlockingIOError:
            pass  # wake-ups it has not read yet are waiting in the pipe: one is enough
        except OSError as exc:
            log.error("analyser: %s (stored messages are analysed at the next start)", exc)

    async def stop(self, timeout: float) -> None:
        """End the analyser's input; it drops its batches in flight and exits (killed after
        ``timeout``), then its last results are read."""
        child, self.child = self.child, None
        if child is not None:
            await child.finish(timeout)
        if self._reader is not None:
            await asyncio.wait({self._reader}, timeout=timeout)
            self._reader.cancel()
