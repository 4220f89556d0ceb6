"""``analyze`` over many messages: only messages are read (skipped files counted), each is
written as soon as it is done (``--format jsonl``), mboxes are read a message at a time, and
a summary table of running counts ends the run."""

from __future__ import annotations

import io
import json
from pathlib import Path

from mailcheck.cli import main
from mailcheck.message.inputs import InputStats, looks_like_message, read_inputs
from tests.message.msg_helpers import CORPUS

SNAPSHOT = str(CORPUS / "dns-snapshot.json")
MESSAGES = sorted(CORPUS.glob("*.eml"))
ORG = ["--org-domain", "msgtest.example", "--snapshot", SNAPSHOT]


def test_the_corpus_folder_reads_only_messages() -> None:
    stats = InputStats()
    items = list(read_inputs(str(CORPUS), stats=stats))
    assert [Path(i.label).name for i in items] == [m.name for m in MESSAGES]
    skipped = sorted(Path(s).name for s in stats.skipped)
    # README, JSON, YAML, the generator script and the keys: none of them is a message
    assert {"README.md", "dns-snapshot.json", "expected.yaml", "generate.py"} <= set(skipped)
    assert not any(name.endswith(".eml") for name in skipped)


def test_sniffing() -> None:
    assert looks_like_message(b"Received: from x\r\nSubject: y\r\n\r\nbody")
    assert looks_like_message(b"From MAILER-DAEMON Sun Nov 22 03:00:00 2026\nTo: a@b\n")
    assert not looks_like_message(b"# Message corpus\n\nSubject: looks like one")
    assert not looks_like_message(b"#!/bin/sh\necho hi\n")
    assert not looks_like_message(b'{"format": "x"}')
    assert not looks_like_message(b"Subject: ok\n", "notes.json")


def test_jsonl_streams_one_object_per_message_then_the_summary(tmp_path: Path, capsys) -> None:
    code = main(["analyze", str(CORPUS), *ORG, "--format", "jsonl"])
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    *messages, last = objects
    assert [Path(m["domain"]).name for m in messages] == [m.name for m in MESSAGES]
    for message in messages:  # each carries the lookups it needed, not the whole run's
        assert message["dns_queries"] == len(message["evidence"]) > 0
    summary = last["summary"]
    assert summary["messages"] == len(MESSAGES) and summary["skipped_files"] >= 4
    assert sum(summary["verdicts"].values()) == len(MESSAGES)
    assert sum(summary["filters"].values()) == sum(summary["fixes"].values()) == len(MESSAGES)
    assert any(name.startswith("Microsoft 365") for name in summary["filters"])
    assert "mailcheck snippets --filter microsoft365" in summary["fixes"]
    exits = {"pass": 0, "info": 0, "warn": 1, "fail": 2, "error": 4}
    worst = max(exits[m["worst_status"]] for m in messages)
    assert code == worst


def test_text_ends_with_the_summary_table(capsys) -> None:
    main(["analyze", str(CORPUS), *ORG])
    out = capsys.readouterr().out
    table = out[out.index("Summary of ") :]
    assert table.startswith(f"Summary of {len(MESSAGES)} messages (")
    assert "files skipped: not messages)" in table.splitlines()[0]
    for heading in ("  Verdict", "  Filter that junked it", "  Fix"):
        assert f"\n{heading}\n" in table


def test_mbox_is_streamed_with_the_same_messages(tmp_path: Path) -> None:
    mbox = b""
    for message in MESSAGES[:3]:
        mbox += b"From MAILER-DAEMON Sun Nov 22 03:00:00 2026\n" + message.read_bytes() + b"\n"
    path = tmp_path / "box.mbox"
    path.write_bytes(mbox)
    items = list(read_inputs(str(path)))
    assert [i.label for i in items] == [f"{path}#{n}" for n in (1, 2, 3)]
    for item, message in zip(items, MESSAGES[:3], strict=True):
        body = item.data.split(b"\n", 1)[1]  # after the From_ line
        assert body.rstrip(b"\r\n") == message.read_bytes().rstrip(b"\r\n")


def test_a_folder_without_messages_says_what_it_skipped(tmp_path: Path, capsys) -> None:
    (tmp_path / "README.md").write_text("# nothing here\n", encoding="utf-8")
    (tmp_path / "export.json").write_text("{}", encoding="utf-8")
    assert main(["analyze", str(tmp_path), "--snapshot", SNAPSHOT]) == 3
    assert "no messages found (2 files that are not messages)" in capsys.readouterr().err


def test_jsonl_to_a_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out" / "messages.jsonl"
    main(["analyze", str(MESSAGES[0]), *ORG, "--format", "jsonl", "--output", str(out)])
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[-1])["summary"]["messages"] == 1
    assert capsys.readouterr().out == ""


def test_stdin_still_works(monkeypatch, capsys) -> None:
    data = MESSAGES[0].read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["analyze", "-", *ORG, "--format", "jsonl"]) in (0, 1, 2)
    assert json.loads(capsys.readouterr().out.splitlines()[0])["domain"] == "stdin"
