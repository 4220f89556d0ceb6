"""Report folders are never overwritten; ``latest`` points at the newest; a replay writes a
new folder, never into the one it reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mailcheck.cli import main
from mailcheck.report import folders

ACME_SNAPSHOT = Path(__file__).parents[2] / "examples" / "acme.json"


def test_same_time_gets_a_new_folder_and_latest_follows(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILCHECK_REPORTS_DIR", raising=False)
    for _ in range(3):
        assert main(["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT)]) in (0, 1, 2)
    domain = tmp_path / "reports" / "acme.example"
    names = sorted(p.name for p in domain.iterdir())
    stamp = names[0]
    assert names == [stamp, f"{stamp}-2", f"{stamp}-3", "latest"]
    assert os.readlink(domain / "latest") == f"{stamp}-3"
    replay = domain / "latest" / "evidence.json"
    assert main(["report", "--replay", str(replay)]) in (0, 1, 2)
    assert os.readlink(domain / "latest") == f"{stamp}-4"
    assert (domain / f"{stamp}-4" / "report.json").read_bytes() == (
        domain / f"{stamp}-3" / "report.json"
    ).read_bytes()


def test_replay_refuses_to_write_into_its_own_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT), "--output", "r"]
    assert main(argv) in (0, 1, 2)
    before = (tmp_path / "r" / "report.json").read_bytes()
    assert main(["report", "--replay", "r/evidence.json", "--output", "r"]) == 3
    assert "must not be the one it reads" in capsys.readouterr().err
    assert (tmp_path / "r" / "report.json").read_bytes() == before


def test_new_folder_gives_up_after_a_bound(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(folders, "MAX_SAME_TIME", 2)
    wanted = tmp_path / "x"
    assert folders.new_folder(wanted) == wanted
    assert folders.new_folder(wanted) == tmp_path / "x-2"
    with pytest.raises(Exception, match="already exist"):
        folders.new_folder(wanted)
