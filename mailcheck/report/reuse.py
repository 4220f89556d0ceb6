"""Parts of a report that are the same in every report of a run, rendered once.

A bulk run's sender-side check results are one set of objects that every domain's report holds
(``mailcheck.app.bulk_checks``), so their HTML section and their ``report.json`` entry are the
same text in every folder. ``Reuse`` knows which results are shared (by identity: the same
object, never merely an equal one) and keeps each one's rendered text; the renderers given a
``Reuse`` splice that text where the template or the encoder would have produced it.

Three more things are remembered: what is derived from a shared result alone (its snippet
views, its snippets section), what both renderers of one report ask for (its verdict and plan:
made once for the report, not once per renderer), and texts that are a function of an immutable
value alone (an evidence row's HTML and JSON, keyed by the row).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from mailcheck.base.json_text import Encoded
from mailcheck.base.model import CheckResult, Report
from mailcheck.report import actions, view
from mailcheck.snippets.interface import SnippetsFacts

T = TypeVar("T")

LIMIT = 64  # shared results kept; a run shares a handful (its sender side, snippets per provider)
VALUES = 4096  # texts kept by value (evidence rows: a run's sender side has about 80)


class Reuse:
    """Shared check results and their rendered parts; holding each result keeps its id unique."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._shared: dict[int, CheckResult] = {}
        self._html: dict[int, str] = {}
        self._json: dict[int, Encoded] = {}
        self._derived: dict[tuple[int, Hashable], Any] = {}
        self._report: Report | None = None  # held: its id stays unique while remembered
        self._of_report: dict[str, Any] = {}
        self._by_value: dict[Hashable, Any] = {}

    def share(self, result: CheckResult) -> None:
        """Mark ``result`` as one that many reports hold (forgetting all when full)."""
        if id(result) not in self._shared and len(self._shared) >= self._limit:
            self._shared.clear()
            self._html.clear()
            self._json.clear()
            self._derived.clear()
        self._shared[id(result)] = result

    def is_shared(self, result: CheckResult) -> bool:
        """Whether this very object was marked shared."""
        return self._shared.get(id(result)) is result

    def html(self, result: CheckResult, render: Callable[[], str]) -> str:
        """The shared result's HTML section: ``render()`` the first time, then remembered."""
        known = self._html.get(id(result))
        if known is None:
            known = self._html[id(result)] = render()
        return known

    def json(self, result: CheckResult, build: Callable[[], object]) -> Encoded:
        """The shared result's JSON entry (``build()`` gives its data), encoded once per depth."""
        known = self._json.get(id(result))
        if known is None:
            known = self._json[id(result)] = Encoded(build())
        return known

    def derived(self, result: CheckResult, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, a function of ``result`` alone (and ``key``): once per shared result."""
        if not self.is_shared(result):
            return make()
        name = (id(result), key)
        if name not in self._derived:
            self._derived[name] = make()
        return cast(T, self._derived[name])

    def by_value(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, a text that is a function of ``key``'s value alone (an evidence row, the
        same lookup in every report of a run, equal but not the same object): made once."""
        if key not in self._by_value:
            if len(self._by_value) >= VALUES:
                self._by_value.clear()
            self._by_value[key] = make()
        return cast(T, self._by_value[key])

    def of_report(self, report: Report, key: str, make: Callable[[], T]) -> T:
        """``make()``, a function of ``report`` alone: once for this very report object (the
        last one asked about), however many renderers ask."""
        if self._report is not report:
            self._report, self._of_report = report, {}
        if key not in self._of_report:
            self._of_report[key] = make()
        return cast(T, self._of_report[key])


def snippets_result(report: Report) -> CheckResult | None:
    """The result ``view.snippets`` reads (the first with snippets facts), if any."""
    return next((r for r in report.checks if isinstance(r.facts, SnippetsFacts)), None)


def snippet_views(report: Report, reuse: Reuse | None) -> tuple[view.SnippetView, ...]:
    """``view.snippets(report)``; with ``reuse``, the same tuple for both renderers and for
    every report holding the same shared snippets result (a bulk run's provider)."""
    if reuse is None:
        return view.snippets(report)
    result = snippets_result(report)
    if result is None or not reuse.is_shared(result):
        # still one tuple per report: the plan's snippet is found in it by identity
        return reuse.of_report(report, "snippets", lambda: view.snippets(report))
    return reuse.derived(result, "snippets", lambda: view.snippets(report))


def verdict_and_plan(
    report: Report, views: tuple[view.SnippetView, ...], reuse: Reuse | None
) -> tuple[view.Verdict, actions.Plan]:
    """The report's verdict and plan from its ``views`` (``snippet_views``; the plan's snippet
    is one of them, by identity); with ``reuse``, made once for both renderers."""

    def make() -> tuple[view.Verdict, actions.Plan]:
        return view.verdict(report, views), actions.plan(report, views)

    return make() if reuse is None else reuse.of_report(report, "verdict", make)
