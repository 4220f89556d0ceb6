"""The sink's analyser process: analysis as an independent consumer of the durable store.

Run as ``python -m mailcheck.smtp.analyser MAILDIR SINK_PID`` by ``backlog.AnalyserProcess``,
which sends one setup frame (``backlog.Setup``). It runs ``pickup.Pickup`` over the index
with a small pool of worker processes (``worker``: CPU-time limit per message, nice,
replaced when one dies) and writes each batch's results to the index itself (SQLite WAL,
busy timeout), so the sink's process does nothing per message beyond storing it and a
coalesced one-byte wake-up.

Protocol: stdin carries the setup frame, then ``b"w"`` wake-ups; its end means stop (batches
in flight are dropped and analysed at the next start). Stdout carries ``READY``, then one
frame per recorded batch with the rows this run stored, analysis included (the sink prints
them). Ignores SIGINT and SIGTERM (the sink stops it) and dies with the sink.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from mailcheck.base.processes import die_with_parent
from mailcheck.smtp.backlog import Setup
from mailcheck.smtp.commit import READY, encode
from mailcheck.smtp.index import Index, index_path
from mailcheck.smtp.pickup import Pickup
from mailcheck.smtp.worker import ProcessAnalyzer
from mailcheck.smtp.writer import read_frame, write_all


class _Analyser:
    def __init__(self, maildir: Path, setup: Setup) -> None:
        self.index = Index(index_path(maildir))
        self.pool = ProcessAnalyzer(
            setup.config, setup.profile, setup.workers, setup.cpu_seconds, setup.idle
        )
        self.pickup = Pickup(
            maildir,
            self.index,
            self.pool.analyse,
            consumers=setup.workers,
            report=self._report,
            report_after=setup.report_after,
        )
        self.stopping = asyncio.Event()
        # The frames get a descriptor of their own; fd 1 becomes stderr, so nothing a library
        # prints here or in a worker (they inherit fd 1) can break a frame.
        self.out = os.dup(1)
        os.dup2(2, 1)

    def _report(self, rows: list[dict[str, Any]]) -> None:
        # Blocking: a sink slow to read holds the analysis back, never the other way round.
        write_all(self.out, encode(rows))

    def _readable(self) -> None:
        data = os.read(0, 4096)
        if data:
            self.pickup.wake()
        else:  # the sink closed our input: stop
            asyncio.get_running_loop().remove_reader(0)
            self.stopping.set()

    async def run(self) -> None:
        await self.index.open()
        asyncio.get_running_loop().add_reader(0, self._readable)
        write_all(self.out, encode(READY))
        self.pickup.start()
        await self.stopping.wait()
        await self.pickup.stop()
        self.pool.close()
        await self.index.close()


def main(argv: list[str]) -> int:
    """Analyse until the sink closes our input."""
    maildir, parent = Path(argv[0]), int(argv[1])
    for signum in (signal.SIGINT, signal.SIGTERM):  # the sink stops us: see writer.main
        signal.signal(signum, signal.SIG_IGN)
    die_with_parent(parent)
    # The pool's semaphores are left to multiprocessing's resource tracker when we exit
    # without finalizers (see below); it frees them, and must not warn about it on the
    # sink's terminal at every stop.
    quiet = "ignore:resource_tracker:UserWarning"
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    setup = read_frame(0)
    if not isinstance(setup, Setup):
        return 1
    asyncio.run(_Analyser(maildir, setup).run())
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    # Not a normal exit: the worker pool's threads are joined at exit, and its workers were
    # killed; nothing is left to flush (the index is closed).
    os._exit(code)
