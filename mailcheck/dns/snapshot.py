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

from mailcheck.base import json_text
from mailcheck.base.errors import (
    DnsError,
    DnsNotRecordedError,
    DnsServerError,
    DnsTimeoutError,
    SnapshotError,
)
from mailcheck.base.model import DnsEvidence
from mailcheck.dns import snapshot_fields as fields
from mailcheck.dns.interface import Answer, Outcome, Resolver, RRType, normalize_name

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
        return document_json(self.to_document())

    def to_document(self) -> dict[str, Any]:
        """The JSON data ``to_json`` writes (plain data: another process can write it)."""
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
        return document

    @classmethod
    def from_json(cls, text: str, source: str = "snapshot") -> Snapshot:
        """Parse a snapshot; any defect raises ``SnapshotError`` naming ``source`` and the field.

        The file is untrusted (evidence is shared and replayed): every field is checked here,
        so nothing malformed reaches a check or the report."""
        try:
            return cls._from_document(fields.parse_document(text))
        except fields.FieldError as exc:
            raise SnapshotError(f"{source}: {exc}") from None

    @classmethod
    def _from_document(cls, document: Mapping[str, Any]) -> Snapshot:
        if document.get("format") != FORMAT:
            raise fields.FieldError("format", f"not a {FORMAT} file")
        if document.get("format_version") != FORMAT_VERSION:
            version = ascii(document.get("format_version"))[:20]
            raise fields.FieldError("format_version", f"unsupported version {version}")
        answers = fields.obj(document.get("answers"), "answers")
        entries: dict[tuple[str, RRType], Recorded] = {}
        for raw_name, by_type in answers.items():
            where = f"answers[{json.dumps(raw_name[:80])}]"
            name = normalize_name(fields.name(raw_name, where))
            for raw_type, raw in fields.obj(by_type, where).items():
                try:
                    rrtype = RRType(raw_type)
                except ValueError:
                    shown = json.dumps(raw_type[:20])
                    raise fields.FieldError(f"{where}.{shown}", "unknown record type") from None
                entries[(name, rrtype)] = _entry_from_json(name, rrtype, raw, f"{where}.{rrtype}")
        return cls(
            fields.timestamp(document.get("recorded_at"), "recorded_at"),
            fields.strings(document.get("nameservers"), "nameservers", limit=300),
            entries,
            dict(fields.obj(document.get("metadata", {}), "metadata")),
        )

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


def document_json(document: Mapping[str, Any]) -> str:
    """A snapshot's text from its ``Snapshot.to_document`` data: sorted keys, indented."""
    return json_text.dumps(document) + "\n"  # json.dumps(indent=2, sort_keys=True)'s text


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


def _entry_from_json(name: str, rrtype: RRType, raw: Any, where: str) -> Recorded:
    entry = fields.obj(raw, where)
    time = fields.timestamp(entry.get("time"), f"{where}.time")
    outcome = fields.text(entry.get("outcome"), f"{where}.outcome", limit=20)
    if outcome == "error":
        return Recorded(time, error=_error_from_json(name, rrtype, entry, where))
    try:
        kind = Outcome(outcome)
    except ValueError:
        raise fields.FieldError(f"{where}.outcome", f"unknown outcome {outcome!r}") from None
    records = fields.records(rrtype, entry.get("records"), f"{where}.records")
    answer = Answer(
        name,
        rrtype,
        kind,
        records,
        fields.ttl(entry.get("ttl"), f"{where}.ttl"),
        tuple(
            normalize_name(c)
            for c in fields.strings(entry.get("cnames", []), f"{where}.cnames", limit=1024)
        ),
        fields.text(entry.get("server"), f"{where}.server", limit=300),
        _strings(entry.get("strings"), records),
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


def _error_from_json(name: str, rrtype: RRType, entry: Mapping[str, Any], where: str) -> DnsError:
    kind = fields.text(entry.get("kind"), f"{where}.kind", limit=20)
    if kind == "server":
        return DnsServerError(name, rrtype, fields.text(entry.get("rcode"), f"{where}.rcode"))
    reason = fields.text(entry.get("reason"), f"{where}.reason", limit=2000)
    if kind == "timeout":
        return DnsTimeoutError(name, rrtype, reason)
    if kind == "error":
        return DnsError(name, rrtype, reason)
    raise fields.FieldError(f"{where}.kind", f"unknown error kind {kind!r}")


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
