"""One part of a run's view of its shared resolver: one domain of a bulk run, one message of
an analysis. It asks the shared resolver (one cache, questions in flight shared) and keeps a
copy of each outcome, as the shared resolver recorded it, on top of a base (e.g. the sender
side's lookups), so the part's evidence is complete on its own and replays alone."""

from __future__ import annotations

from collections.abc import Callable

from mailcheck.base.errors import DnsTimeoutError
from mailcheck.dns.interface import Answer, RRType, normalize_name
from mailcheck.dns.snapshot import EvidenceResolver, Recorded, Snapshot

Key = tuple[str, RRType]


class ScopedRecorder:
    """See the module docstring; ``on_timeout`` hears of every lookup that timed out."""

    def __init__(
        self,
        shared: EvidenceResolver,
        base: Snapshot,
        recorded_at: str,
        on_timeout: Callable[[Key], None] | None = None,
    ) -> None:
        self._shared = shared
        self._on_timeout = on_timeout
        self.snapshot = Snapshot(recorded_at, base.nameservers, dict(base.entries))

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        key = (normalize_name(name), rrtype)
        try:
            return await self._shared.resolve(name, rrtype)
        except DnsTimeoutError:
            if self._on_timeout is not None:
                self._on_timeout(key)
            raise
        finally:
            self._keep(key)

    def _keep(self, key: Key) -> None:
        entry: Recorded | None = self._shared.evidence().entries.get(key)
        if entry is not None:
            self.snapshot.entries.setdefault(key, entry)

    def evidence(self) -> Snapshot:
        """The base's lookups plus this part's."""
        return self.snapshot
