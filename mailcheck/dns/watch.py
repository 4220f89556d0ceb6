"""Which lookups are in flight, and for how long: what a live run is waiting for.

An unreachable resolver used to mean a minute of silence; the CLI asks ``oldest()`` now and
then and says what it waits for once a lookup has taken longer than a second.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from mailcheck.dns.interface import Answer, RRType
from mailcheck.dns.snapshot import EvidenceResolver, Snapshot


class WatchedResolver:
    """Wraps the run's resolver (see ``EvidenceResolver``) and remembers what is in flight."""

    def __init__(
        self, inner: EvidenceResolver, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._inner = inner
        self._clock = clock
        self._ids = itertools.count()
        self._pending: dict[int, tuple[str, RRType, float]] = {}

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        token = next(self._ids)
        self._pending[token] = (name, rrtype, self._clock())
        try:
            return await self._inner.resolve(name, rrtype)
        finally:
            del self._pending[token]

    def evidence(self) -> Snapshot:
        """See ``EvidenceResolver.evidence``."""
        return self._inner.evidence()

    def oldest(self) -> tuple[str, RRType, float] | None:
        """The lookup waiting longest, and for how many seconds; None when none is."""
        if not self._pending:
            return None
        name, rrtype, since = min(self._pending.values(), key=lambda p: p[2])
        return name, rrtype, self._clock() - since

    @property
    def in_flight(self) -> int:
        """How many lookups are waiting for an answer."""
        return len(self._pending)
