"""Parts of a report that are the same in every report of a run, rendered once.

A bulk run's sender-side check results are one set of objects that every domain's report holds
(``mailcheck.app.bulk_checks``), so their HTML section and their ``report.json`` entry are the
same text in every folder. ``Reuse`` knows which results are shared (by identity: the same
object, never merely an equal one) and keeps each one's rendered text; the renderers given a
``Reuse`` splice that text where the template or the encoder would have produced it.
"""

from __future__ import annotations

from collections.abc import Callable

from mailcheck.base.json_text import Encoded
from mailcheck.base.model import CheckResult

LIMIT = 64  # shared results kept; a run shares a handful (its sender side, snippets per provider)


class Reuse:
    """Shared check results and their rendered parts; holding each result keeps its id unique."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._shared: dict[int, CheckResult] = {}
        self._html: dict[int, str] = {}
        self._json: dict[int, Encoded] = {}

    def share(self, result: CheckResult) -> None:
        """Mark ``result`` as one that many reports hold (forgetting all when full)."""
        if id(result) not in self._shared and len(self._shared) >= self._limit:
            self._shared.clear()
            self._html.clear()
            self._json.clear()
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
