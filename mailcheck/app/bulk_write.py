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
import multiprocessing
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from mailcheck.app.bulk_checks import DomainOutcome
from mailcheck.app.compare import compare as compare_with
from mailcheck.base.model import CheckResult, Report
from mailcheck.dns.snapshot import document_json
from mailcheck.report import bundle, summary
from mailcheck.report.reuse import LIMIT, Reuse

RECENT = 256  # results of recent reports remembered, to see which ones the next report shares
IN_FLIGHT_PER_WORKER = 4  # folders queued per worker process: keeps it busy, memory flat

# What a worker gets: the report without its checks, each check as itself or (shared) as its
# pickle bytes, and the evidence as JSON data (a Snapshot holds exceptions, which do not
# unpickle).
Packed = tuple[Report, tuple[CheckResult | bytes, ...], dict[str, Any]]


class Packer:
    """Main process: which results earlier reports already held, and their pickles."""

    def __init__(self, recent: int = RECENT) -> None:
        self._recent: OrderedDict[int, CheckResult] = OrderedDict()  # holding them keeps ids
        self._pickles: dict[int, bytes] = {}
        self._size = recent

    def pack(self, outcome: DomainOutcome) -> Packed:
        """The outcome as a worker gets it: shared results as their (once-made) pickle bytes."""
        checks = tuple(self._packed(result) for result in outcome.report.checks)
        return replace(outcome.report, checks=()), checks, outcome.evidence.to_document()

    def _packed(self, result: CheckResult) -> CheckResult | bytes:
        if self._recent.get(id(result)) is result:
            self._recent.move_to_end(id(result))
            known = self._pickles.get(id(result))
            if known is None:
                known = self._pickles[id(result)] = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
            return known
        self._recent[id(result)] = result
        if len(self._recent) > self._size:
            gone, _ = self._recent.popitem(last=False)
            self._pickles.pop(gone, None)
        return result


class FolderWriter:
    """Writes finished domains' folders in worker processes; ``rows()`` once all are written."""

    def __init__(self, out: Path, compare: Path | None, on_changes: Callable[[str], object]):
        self._out, self._compare, self._on_changes = out, compare, on_changes
        self._workers = os.cpu_count() or 1
        # forkserver: the children do not inherit this process's threads (a fork would).
        context = multiprocessing.get_context("forkserver")
        self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        self._packer = Packer()
        self._pending: set[asyncio.Future[tuple[summary.SummaryRow, str]]] = set()
        self._rows: list[summary.SummaryRow] = []
        self._slots: asyncio.Semaphore | None = None
        self._failed: BaseException | None = None

    def __enter__(self) -> FolderWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc is not None)

    async def write(self, outcome: DomainOutcome) -> None:
        """Queue the domain's folder; waits only while the queue is full. A folder that could
        not be written stops the run here (as it would a single report)."""
        if self._failed is not None:
            raise self._failed
        if self._slots is None:  # made in the running loop
            self._slots = asyncio.Semaphore(self._workers * IN_FLIGHT_PER_WORKER)
        await self._slots.acquire()
        packed = self._packer.pack(outcome)
        job = self._pool.submit(write_domain, packed, self._out, self._compare)
        future = asyncio.wrap_future(job)
        self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: asyncio.Future[tuple[summary.SummaryRow, str]]) -> None:
        assert self._slots is not None
        self._slots.release()
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
    """A worker's shared results, by their pickle bytes, and its renderers' ``Reuse``."""

    def __init__(self) -> None:
        self.results: dict[bytes, CheckResult] = {}
        self.reuse = Reuse()

    def load(self, item: CheckResult | bytes) -> CheckResult:
        if not isinstance(item, bytes):
            return item
        result = self.results.get(item)
        if result is None:
            if len(self.results) >= LIMIT:
                self.results.clear()
            result = self.results[item] = pickle.loads(item)  # noqa: S301  # our own process's
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
