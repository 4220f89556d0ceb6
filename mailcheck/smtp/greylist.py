"""Greylisting state: the first attempt of a (client IP, MAIL FROM, RCPT TO) triplet waits."""

from __future__ import annotations

from collections import OrderedDict

MAX_TRIPLETS = 100_000  # a flood of new triplets must not grow memory without bound


class Greylist:
    """Remembers when each triplet was first seen (oldest forgotten first)."""

    def __init__(self, max_triplets: int = MAX_TRIPLETS) -> None:
        self._first_seen: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._max = max_triplets

    def passes(self, triplet: tuple[str, str, str], wait: float, now: float) -> bool:
        """True when ``triplet`` was first seen at least ``wait`` seconds before ``now``."""
        first = self._first_seen.get(triplet)
        if first is None:
            self._first_seen[triplet] = now
            while len(self._first_seen) > self._max:
                self._first_seen.popitem(last=False)
            return False
        return now - first >= wait
