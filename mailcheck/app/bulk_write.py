"""Writing a bulk run's domain folders in worker processes, the shared parts rendered once.

Rendering a folder is CPU work, so other processes do it while the event loop goes on checking.
Every domain's report holds the same sender-side check results (the very same objects,
``mailcheck.app.bulk_checks``) and, per provider, the same snippets result. Sent as they are,
each would be pickled, unpickled and rendered again for every domain: most of a folder's CPU.
So a result that an earlier report already held travels as its pickle bytes, made once; a
worker unpickles each such result once and keeps the object, and its renderers
(``mailcheck.report.reuse``) render that object's HTML section and JSON entry once and splice
the text into every folder. Results finished but not yet written are bounded, so memory stays
flat however many domains there are.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from mailcheck.app.compare import compare as compare_with
from mailcheck.base.model import CheckResult, Report
from mailcheck.dns.snapshot import document_json
from mailcheck.report import bundle, summary
from mailcheck.report.reuse import LIMIT, Reuse

if TYPE_CHECKING:  # the writer processes import this module: not the checks (cryptography...)
    from mailcheck.app.bulk_checks import DomainOutcome

RECENT = 256  # results of recent reports remembered, to see which ones the next report shares
IN_FLIGHT_PER_WORKER = 4  # folders queued per worker process: keeps it busy, memory flat

# What a worker gets: the report without its checks, each check as itself or (shared) as its
# pickle bytes, and the evidence as JSON data (a Snapshot holds exceptions, which do not
# unpickle).
SharedRef = tuple[int, bytes | None]
Packed = tuple[Report, tuple[CheckResult | SharedRef, ...], dict[str, Any]]


class Packer:
    """Main process: which results earlier reports already held, their pickles and keys, and
    which keys each worker already holds (mirroring ``_Shared``'s bounded cache)."""

    def __init__(self, recent: int = RECENT, workers: int = 1) -> None:
        self._recent: OrderedDict[int, CheckResult] = OrderedDict()  # holding them keeps ids
        self._pickles: dict[int, tuple[int, bytes]] = {}
        self._held: list[set[int]] = [set() for _ in range(workers)]
        self._size = recent
        self._keys = 0

    def pack(self, outcome: DomainOutcome, worker: int = 0) -> Packed:
        """The outcome as ``worker`` gets it: shared results by key, pickled once."""
        checks = tuple(self._packed(result, worker) for result in outcome.report.checks)
        return replace(outcome.report, checks=()), checks, outcome.evidence.to_document()

    def _packed(self, result: CheckResult, worker: int) -> CheckResult | SharedRef:
        if self._recent.get(id(result)) is not result:
            self._recent[id(result)] = result
            if len(self._recent) > self._size:
                gone, _ = self._recent.popitem(last=False)
                self._pickles.pop(gone, None)
            return result
        self._recent.move_to_end(id(result))
        known = self._pickles.get(id(result))
        if known is None:
            self._keys += 1
            blob = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
            known = self._pickles[id(result)] = (self._keys, blob)
        key, blob = known
        held = self._held[worker]
        if key in held:
            return key, None
        if len(held) >= LIMIT:  # the worker clears its cache at the same point
            held.clear()
        held.add(key)
        return key, blob


class FolderWriter:
    """Writes finished domains' folders in worker processes; ``rows()`` once all are written."""

    def __init__(self, out: Path, compare: Path | None, on_changes: Callable[[str], object]):
        self._out, self._compare, self._on_changes = out, compare, on_changes
        self._workers = os.cpu_count() or 1
        # forkserver: the children do not inherit this process's threads (a fork would).
        context = multiprocessing.get_context("forkserver")
        self._pools = [
            ProcessPoolExecutor(max_workers=1, mp_context=context) for _ in range(self._workers)
        ]
        self._queued = [0] * self._workers
        self._packer = Packer(workers=self._workers)
        self._pending: set[asyncio.Future[tuple[summary.SummaryRow, str]]] = set()
        self._rows: list[summary.SummaryRow] = []
        self._slots: asyncio.Semaphore | None = None
        self._failed: BaseException | None = None

    def __enter__(self) -> FolderWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=exc is not None)

    async def write(self, outcome: DomainOutcome) -> None:
        """Queue the domain's folder; waits only while the queue is full. A folder that could
        not be written stops the run here (as it would a single report)."""
        if self._failed is not None:
            raise self._failed
        if self._slots is None:  # made in the running loop
            self._slots = asyncio.Semaphore(self._workers * IN_FLIGHT_PER_WORKER)
        await self._slots.acquire()
        worker = self._queued.index(min(self._queued))  # the least busy
        packed = self._packer.pack(outcome, worker)
        job = self._pools[worker].submit(write_domain, packed, self._out, self._compare)
        self._queued[worker] += 1
        future = asyncio.wrap_future(job)
        self._pending.add(future)
        future.add_done_callback(functools.partial(self._done, worker))

    def _done(self, worker: int, future: asyncio.Future[tuple[summary.SummaryRow, str]]) -> None:
        assert self._slots is not None
        self._slots.release()
        self._queued[worker] -= 1
        self._pending.discard(future)
        if future.cancelled():
            return
        if future.exception() is not None:
            self._failed = self._failed or future.exception()
        else:
            row, changes = future.result()
            self._rows.append(row)
            if changes:
                self._on_changes(changes)

    async def rows(self) -> list[summary.SummaryRow]:
        """Every folder written (a worker's error raised here); their summary rows."""
        while self._pending:
            await asyncio.gather(*self._pending)
        if self._failed is not None:
            raise self._failed
        return self._rows


class _Shared:
    """A worker's shared results, by key, and its renderers' ``Reuse``."""

    def __init__(self) -> None:
        self.results: dict[int, CheckResult] = {}
        self.reuse = Reuse()

    def load(self, item: CheckResult | SharedRef) -> CheckResult:
        if isinstance(item, CheckResult):
            return item
        key, blob = item
        if blob is not None:  # new to this worker (``Packer`` counts the same way)
            if len(self.results) >= LIMIT:
                self.results.clear()
            self.results[key] = pickle.loads(blob)  # noqa: S301  # our own process's
        result = self.results[key]
        self.reuse.share(result)
        return result


_SHARED = _Shared()  # one per worker process, for the run


def write_domain(packed: Packed, out: Path, compare: Path | None) -> tuple[summary.SummaryRow, str]:
    """One domain's folder (in a worker process); its summary row and changes text back."""
    bare, checks, evidence = packed
    report = replace(bare, checks=tuple(_SHARED.load(item) for item in checks))
    changes = ""
    if compare is not None and (compare / report.domain).is_dir():
        report, changes = compare_with(report, compare / report.domain)
    bundle.write_bundle(report, document_json(evidence), out / report.domain, _SHARED.reuse)
    return summary.summary_row(report, f"{report.domain}/{bundle.REPORT_HTML}"), changes
