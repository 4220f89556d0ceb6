"""Issue 15 item 6: tampered snapshots and evidence are one-line input errors (exit 3) naming the
file and the field, for ``report --snapshot`` and ``report --replay``; so are rules files nested
absurdly deep. README's offline example is the untampered starting point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mailcheck.base.errors import SnapshotError
from mailcheck.cli import main
from mailcheck.dns.snapshot import Snapshot
from tests.hostile.profile_text import profile_text

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme.json"
DEEP = "[" * 100_000 + "]" * 100_000
METADATA = {"domain": "acme.example", "profile": "trimble-identity", "command": ["mailcheck"]}


def _mx(document: dict[str, Any]) -> dict[str, Any]:
    return document["answers"]["acme.example"]["MX"]


def _set(path: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any):
    def change(document: dict[str, Any]) -> None:
        path(document)[key] = value

    return change


def _top(document: dict[str, Any]) -> dict[str, Any]:
    return document


def _a(record: str, rrtype: str = "A") -> dict[str, Any]:
    entry = {"outcome": "answer", "records": [record], "ttl": 60, "server": "s"}
    return {"a.example": {rrtype: entry | {"time": "2026-11-22T09:00:00Z", "cnames": []}}}


# name -> (change to the parsed document, or None; text replacements; field named in the error)
TAMPERED: dict[str, tuple[Any, tuple[tuple[str, str], ...], str]] = {
    "mx-garbage": (_set(_mx, "records", ["garbage"]), (), 'answers["acme.example"].MX.records[0]'),
    "records-string": (_set(_mx, "records", "10 mx.example"), (), "MX.records"),
    "records-object": (_set(_mx, "records", {"a": 1}), (), "MX.records"),
    "recorded-yesterday": (_set(_top, "recorded_at", "yesterday"), (), "recorded_at"),
    "recorded-number": (_set(_top, "recorded_at", 12345), (), "recorded_at"),
    "recorded-far-future": (_set(_top, "recorded_at", "9999-12-31T00:00:00Z"), (), "recorded_at"),
    "time-far-future": (_set(_mx, "time", "9999-12-31T00:00:00Z"), (), "MX.time"),
    "ttl-infinite": (_set(_mx, "ttl", 987654321), (("987654321", "1e999"),), "MX.ttl"),
    "ttl-negative": (_set(_mx, "ttl", -1), (), "MX.ttl"),
    "ttl-string": (_set(_mx, "ttl", "3600"), (), "MX.ttl"),
    "ttl-nan": (_set(_mx, "ttl", 987654321), (("987654321", "NaN"),), "(document)"),
    "deep-nameservers": (_set(_top, "nameservers", "DEEP"), (('"DEEP"', DEEP),), "(document)"),
    "deep-metadata": (_set(_top, "metadata", "DEEP"), (('"DEEP"', DEEP),), "(document)"),
    "deep-40": (_set(_top, "metadata", "DEEP"), (('"DEEP"', "[" * 40 + "]" * 40),), "(document)"),
    "answers-list": (_set(_top, "answers", []), (), "answers"),
    "entry-string": (_set(_top, "answers", {"a.example": "x"}), (), 'answers["a.example"]'),
    "a-not-address": (_set(_top, "answers", _a("10.0.0.1%eth0")), (), ".A.records[0]"),
    "aaaa-is-v4": (_set(_top, "answers", _a("192.0.2.1", "AAAA")), (), ".AAAA.records[0]"),
    "unknown-type": (_set(_top, "answers", {"a.example": {"ANY": {}}}), (), '"ANY"'),
    "unknown-outcome": (_set(_mx, "outcome", "maybe"), (), "MX.outcome"),
    "unknown-error-kind": (_set(_mx, "outcome", "error"), (), "MX.kind"),
    "nameservers-object": (_set(_top, "nameservers", {}), (), "nameservers"),
    "control-in-name": (_set(_top, "answers", {"a\x1b[2J.example": {}}), (), "answers["),
    "not-json": (None, (("{", "{{"),), "(document)"),
    "huge-int": (_set(_mx, "ttl", 987654321), (("987654321", "9" * 5000),), "(document)"),
}


def _tampered(tmp_path: Path, name: str, *, metadata: bool) -> Path:
    change, replacements, _field = TAMPERED[name]
    document = json.loads(ACME.read_text(encoding="utf-8"))
    if metadata:
        document["metadata"] = METADATA
    if change is not None:
        change(document)
    text = json.dumps(document)
    for old, new in replacements:
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(TAMPERED))
def test_tampered_snapshot_is_one_line_exit_3(tmp_path, capsys, name):
    path = _tampered(tmp_path, name, metadata=False)
    argv = ["report", "acme.example", "--profile", "trimble-identity", "--snapshot", str(path)]
    assert main([*argv, "--format", "json"]) == 3
    _assert_one_line(capsys.readouterr(), path, TAMPERED[name][2])


@pytest.mark.parametrize("name", sorted(TAMPERED))
def test_tampered_evidence_replay_is_one_line_exit_3(tmp_path, capsys, name):
    path = _tampered(tmp_path, name, metadata=True)
    assert main(["report", "--replay", str(path), "--output", str(tmp_path / "out")]) == 3
    _assert_one_line(capsys.readouterr(), path, TAMPERED[name][2])
    assert not (tmp_path / "out").exists()


def _assert_one_line(captured: pytest.CaptureResult[str], path: Path, field: str) -> None:
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"mailcheck: error: {path}: "), lines[0]
    assert field in lines[0], lines[0]
    assert lines[0].isprintable() and len(lines[0]) < 400


def test_untampered_example_still_loads():
    for metadata in (False, True):
        document = json.loads(ACME.read_text(encoding="utf-8"))
        if metadata:
            document["metadata"] = METADATA
        snapshot = Snapshot.from_json(json.dumps(document))
        assert snapshot.recorded_at == "2026-11-22T09:00:00Z" and snapshot.entries


def test_untampered_replay_of_its_own_evidence_works(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["report", "acme.example", "--profile", "trimble-identity", "--snapshot", str(ACME)]
    assert main([*argv, "--output", str(out)]) in (0, 1, 2)
    again = tmp_path / "again"
    assert main(["report", "--replay", str(out / "evidence.json"), "--output", str(again)]) < 3
    assert (again / "report.json").read_bytes() == (out / "report.json").read_bytes()


def test_snapshot_error_names_the_field():
    with pytest.raises(SnapshotError, match=r"^x\.json: recorded_at: 'yesterday' is not"):
        Snapshot.from_json(
            '{"format": "mailcheck-dns-snapshot", "format_version": 1, '
            '"recorded_at": "yesterday", "nameservers": [], "answers": {}}',
            "x.json",
        )


@pytest.mark.parametrize(
    "tail",
    [
        "deep = " + DEEP,
        "deep = " + "{a = " * 50_000 + "1" + "}" * 50_000,
        "a" + ".a" * 100_000 + " = 1",
        "[" + "a." * 100_000 + "a]",
        "[[" + "a." * 40 + "a]]",
        "deep = " + "[" * 40 + "]" * 40,
    ],
    ids=["arrays", "inline-tables", "dotted-key", "table-header", "array-header", "depth-40"],
)
def test_deeply_nested_rules_file_exits_3(tmp_path, capsys, tail):
    rules = tmp_path / "rules"
    rules.mkdir()
    path = rules / "deep.toml"
    path.write_text(profile_text() + tail + "\n", encoding="utf-8")
    assert main(["rules", "validate", str(path)]) == 3
    assert f"error {path}: " in capsys.readouterr().out
    assert main(["rules", "list", "--rules", str(rules)]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"mailcheck: error: {path}: ") and "nested deeper" in err
