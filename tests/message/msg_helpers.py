"""Shared helpers for the message analysis tests: conformance data and replayed DNS."""

from __future__ import annotations

from pathlib import Path

import yaml

from mailcheck.dns.interface import Answer, Outcome, RRType
from mailcheck.dns.snapshot import Recorded, Snapshot, SnapshotResolver
from tests.tooling import skip_or_fail

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "data" / "messages"


def conformance_dir(part: str) -> Path:
    """``<repo>/tests/conformance/part``; skips (fails under CI=true) when it is absent."""
    path = REPO / "tests" / "conformance" / part
    if not path.is_dir():
        skip_or_fail(f"conformance suite {path} not found")
    return path


def load_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def txt_resolver(records: dict[str, str | None]) -> SnapshotResolver:
    """Replay TXT answers (None = NXDOMAIN) through the shipped snapshot resolver; any other
    lookup is an error, never a silent NXDOMAIN."""
    entries = {}
    for name, text in records.items():
        if text is None:
            answer = Answer(name, RRType.TXT, Outcome.NXDOMAIN)
        else:
            answer = Answer(name, RRType.TXT, Outcome.ANSWER, (text,), 300)
        entries[(name.lower(), RRType.TXT)] = Recorded("2026-11-22T00:00:00Z", answer=answer)
    return SnapshotResolver(Snapshot("2026-11-22T00:00:00Z", (), entries))


def corpus_resolver() -> SnapshotResolver:
    """The DNS answers the corpus messages need (tests/data/messages/dns-snapshot.json)."""
    return SnapshotResolver(Snapshot.load(CORPUS / "dns-snapshot.json"))
