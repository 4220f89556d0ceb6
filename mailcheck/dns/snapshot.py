"""Record every outcome of a run to JSON, and replay it later to reproduce the run exactly.

A snapshot is the evidence behind a report and the offline demo. The file is keyed by the
lower-case name without the trailing dot, then the record type, so it reads well in a review.
Errors are recorded too: a replayed timeout is still a timeout, never a missing record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from mailcheck.dns.interface import Answer, Outcome, Resolver, RRType, normalize_name
from mailcheck.errors import (
    DnsError,
    DnsNotRecordedError,
    DnsServerError,
    DnsTimeoutError,
    SnapshotError,
)
from mailcheck.model import DnsEvidence

FORMAT = "mailcheck-dns-snapshot"
FORMAT_VERSION = 1


def utc_now() -> str:
    """The current time as ISO 8601 UTC with second precision: the stamp snapshots use."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Recorded:
    """One lookup's outcome as it happened: an answer or an error, and when."""

    time: str
    answer: Answer | None = None
    error: DnsError | None = None

    def replay(self) -> Answer:
        """Give the answer back, or raise the error again."""
        if self.error is not None:
            raise self.error
        assert self.answer is not None
        return self.answer


@dataclass
class Snapshot:
    """All outcomes of a run, in lookup order, plus when and against which servers."""

    recorded_at: str
    nameservers: tuple[str, ...] = ()
    entries: dict[tuple[str, RRType], Recorded] = field(default_factory=dict)
    # What the run was (domain, profile id, command line...), so a replay needs nothing else.
    # Optional and omitted when empty: older snapshots and readers stay compatible.
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, one entry per name and type."""
        answers: dict[str, dict[str, Any]] = {}
        for (name, rrtype), entry in sorted(self.entries.items()):
            answers.setdefault(name, {})[rrtype.value] = _entry_to_json(entry)
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "recorded_at": self.recorded_at,
            "nameservers": list(self.nameservers),
            "answers": answers,
        }
        if self.metadata:
            document["metadata"] = self.metadata
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "snapshot") -> Snapshot:
        """Parse a snapshot; any defect raises ``SnapshotError`` naming ``source``."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            detail = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
            raise SnapshotError(f"{source}: not a JSON snapshot ({detail})") from exc
        try:
            if document.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} file")
            if document.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"unsupported format_version {document.get('format_version')!r}")
            entries = {
                (normalize_name(name), RRType(rrtype)): _entry_from_json(name, RRType(rrtype), raw)
                for name, by_type in document["answers"].items()
                for rrtype, raw in by_type.items()
            }
            metadata = document.get("metadata", {})
            if not isinstance(metadata, dict):
                raise ValueError("metadata must be an object")
            return cls(
                str(document["recorded_at"]), tuple(document["nameservers"]), entries, metadata
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SnapshotError(f"{source}: {exc}") from exc

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        """Read a snapshot file."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"{path}: cannot read snapshot: {exc}") from exc
        return cls.from_json(text, str(path))


class RecordingResolver:
    """Wraps a resolver and keeps every outcome it gives (see ``Resolver.resolve``)."""

    def __init__(
        self, inner: Resolver, nameservers: tuple[str, ...] = (), clock: Callable[[], str] = utc_now
    ) -> None:
        self._inner = inner
        self._clock = clock
        self.snapshot = Snapshot(clock(), nameservers)

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        key = (normalize_name(name), rrtype)
        try:
            answer = await self._inner.resolve(name, rrtype)
        except DnsError as exc:
            self.snapshot.entries.setdefault(key, Recorded(self._clock(), error=exc))
            raise
        self.snapshot.entries.setdefault(key, Recorded(self._clock(), answer=answer))
        return answer

    def evidence(self) -> Snapshot:
        """What this run looked up, as a snapshot."""
        return self.snapshot


class SnapshotResolver:
    """Replays a snapshot; a lookup the snapshot lacks is an error, never NXDOMAIN."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._used = Snapshot(snapshot.recorded_at, snapshot.nameservers)
        self.queries = 0

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        key = (normalize_name(name), rrtype)
        self.queries += 1
        entry = self._snapshot.entries.get(key)
        if entry is None:
            raise DnsNotRecordedError(key[0], rrtype, "not in the snapshot (it was not looked up)")
        self._used.entries.setdefault(key, entry)
        return entry.replay()

    def evidence(self) -> Snapshot:
        """The part of the snapshot this run used, with the original times."""
        return self._used


def _entry_to_json(entry: Recorded) -> dict[str, Any]:
    if entry.error is not None:
        kind = {DnsTimeoutError: "timeout", DnsServerError: "server"}.get(
            type(entry.error), "error"
        )
        out: dict[str, Any] = {"outcome": "error", "kind": kind, "reason": entry.error.reason}
        if isinstance(entry.error, DnsServerError):
            out["rcode"] = entry.error.rcode
        return out | {"time": entry.time}
    answer = entry.answer
    assert answer is not None
    out = {
        "outcome": answer.outcome.value,
        "records": list(answer.records),
        "ttl": answer.ttl,
        "cnames": list(answer.cnames),
        "server": answer.server,
        "time": entry.time,
    }
    if answer.strings:  # only split TXT records carry it, so other snapshots stay as they were
        out["strings"] = [list(parts) for parts in answer.strings]
    return out


def _entry_from_json(name: str, rrtype: RRType, raw: Mapping[str, Any]) -> Recorded:
    name = normalize_name(name)
    time = str(raw["time"])
    if raw["outcome"] == "error":
        kind = raw["kind"]
        error: DnsError
        if kind == "timeout":
            error = DnsTimeoutError(name, rrtype, str(raw["reason"]))
        elif kind == "server":
            error = DnsServerError(name, rrtype, str(raw["rcode"]))
        else:
            error = DnsError(name, rrtype, str(raw["reason"]))
        return Recorded(time, error=error)
    records = tuple(str(r) for r in raw["records"])
    cnames = tuple(str(c) for c in raw.get("cnames", ()))
    answer = Answer(
        name,
        rrtype,
        Outcome(raw["outcome"]),
        records,
        int(raw["ttl"]),
        cnames,
        str(raw["server"]),
        _strings(raw.get("strings"), records),
    )
    return Recorded(time, answer=answer)


def _strings(raw: object, records: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """TXT split points: a display hint only, so anything malformed is dropped, not trusted."""
    if not isinstance(raw, list) or len(raw) != len(records):
        return ()
    if not all(isinstance(p, list) and all(isinstance(s, str) for s in p) for p in raw):
        return ()
    parts = tuple(tuple(p) for p in raw)
    if any("".join(p) != r for p, r in zip(parts, records, strict=True)):
        return ()
    return parts


class EvidenceResolver(Protocol):
    """A resolver that can say afterwards what it answered: the report's evidence."""

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        ...

    def evidence(self) -> Snapshot:
        """Every lookup of the run, with its outcome and time."""
        ...


def evidence_rows(snapshot: Snapshot) -> tuple[DnsEvidence, ...]:
    """The snapshot's lookups as report rows, sorted by name and type like the JSON file."""
    return tuple(
        _evidence_row(name, rrtype.value, e)
        for (name, rrtype), e in sorted(snapshot.entries.items())
    )


def _evidence_row(name: str, rrtype: str, entry: Recorded) -> DnsEvidence:
    if entry.error is not None:
        return DnsEvidence(name, rrtype, "error", time=entry.time, error=str(entry.error))
    answer = entry.answer
    assert answer is not None
    return DnsEvidence(
        name,
        rrtype,
        answer.outcome.value,
        answer.records,
        answer.ttl,
        answer.server,
        entry.time,
        answer.cnames,
    )
