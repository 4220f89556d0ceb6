"""Snapshot metadata (what a replay needs) is optional and backward compatible."""

from __future__ import annotations

import json

from reportdata import ACME_SNAPSHOT

from mailcheck.dns.snapshot import Snapshot


def test_snapshot_without_metadata_loads_and_writes_none() -> None:
    snapshot = Snapshot.load(ACME_SNAPSHOT)
    assert snapshot.metadata == {}
    assert "metadata" not in json.loads(snapshot.to_json())


def test_snapshot_metadata_round_trips() -> None:
    snapshot = Snapshot.load(ACME_SNAPSHOT)
    snapshot.metadata = {"domain": "acme.example", "profile": None, "command": ["mailcheck"]}
    again = Snapshot.from_json(snapshot.to_json())
    assert again.metadata == snapshot.metadata
    assert again.to_json() == snapshot.to_json()
