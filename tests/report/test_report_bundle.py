"""The report folder from the CLI: files written, path printed, replay byte for byte, golden JSON.

The snapshot is README's offline example, ``examples/acme.json`` (``examples/regenerate.py``
re-records it when zones or checks change); the golden report.json is the report replayed from
it. Regenerate the golden file after such a change with
``MAILCHECK_UPDATE_GOLDEN=1 python -m pytest tests/report/test_report_bundle.py`` and review
the diff before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from reportdata import ACME_FOLDER, ACME_SNAPSHOT, DATA, files

from mailcheck.cli import main
from mailcheck.report import bundle

GOLDEN = DATA / "golden" / "report" / "acme.json"
UPDATE = os.environ.get("MAILCHECK_UPDATE_GOLDEN") == "1"
COMPLETED = (0, 1, 2)  # exit codes of a run whose every check could decide


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch cwd holding the snapshot, so recorded command lines are the same every run."""
    shutil.copy(ACME_SNAPSHOT, tmp_path / "acme.json")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILCHECK_REPORTS_DIR", raising=False)
    monkeypatch.delenv("MAILCHECK_PROFILE", raising=False)
    return tmp_path


def test_report_snapshot_writes_folder_and_prints_path(workdir: Path, capsys) -> None:
    code = main(["report", "acme.example", "--snapshot", "acme.json"])
    out = capsys.readouterr().out
    folder = workdir / "reports" / "acme.example" / ACME_FOLDER
    assert code in (0, 1, 2), "incomplete snapshot? regenerate: see the module docstring"
    assert f"Report: {Path('reports/acme.example', ACME_FOLDER, 'report.html')}" in out
    assert out.startswith("mailcheck 0.1.0 — acme.example for Trimble Identity")
    from mailcheck.snippets import FilterKind

    listed = sorted(files(folder))
    assert listed[:4] == ["evidence.json", "report.html", "report.json", "snippets/"]
    snippet_files = [name for name in listed if name.startswith("snippets/") and name[9:]]
    assert len(snippet_files) == len(FilterKind)  # one file per filter


def test_report_json_matches_golden_file(workdir: Path, capsys) -> None:
    assert (
        main(["report", "acme.example", "--snapshot", "acme.json", "--output", "out"]) in COMPLETED
    )
    produced = (workdir / "out" / "report.json").read_text(encoding="utf-8")
    if UPDATE:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(produced, encoding="utf-8")
    assert produced == GOLDEN.read_text(encoding="utf-8")


def test_replay_reproduces_every_byte(workdir: Path, capsys) -> None:
    assert (
        main(["report", "acme.example", "--snapshot", "acme.json", "--output", "first"])
        in COMPLETED
    )
    evidence = workdir / "first" / "evidence.json"
    assert main(["report", "--replay", str(evidence), "--output", "second"]) in COMPLETED
    assert main(["report", "--replay", str(evidence)]) in COMPLETED
    first = files(workdir / "first")
    assert files(workdir / "second") == first
    assert files(workdir / "reports" / "acme.example" / ACME_FOLDER) == first


def test_evidence_records_the_request(workdir: Path, capsys) -> None:
    assert (
        main(["report", "acme.example", "--snapshot", "acme.json", "--output", "out"]) in COMPLETED
    )
    evidence = json.loads((workdir / "out" / "evidence.json").read_text(encoding="utf-8"))
    assert evidence["metadata"] == {
        "command": [
            "mailcheck",
            "report",
            "acme.example",
            "--snapshot",
            "acme.json",
            "--output",
            "out",
        ],
        "domain": "acme.example",
        "profile": "trimble-identity",
        "tool_version": "0.1.0",
    }
    assert evidence["recorded_at"] == "2026-11-22T09:00:00Z"
    assert {"acme.example", "acme-example.mail.protection.outlook.com"} <= set(evidence["answers"])


def test_replay_without_metadata_is_an_input_error(workdir: Path, capsys) -> None:
    assert main(["report", "--replay", "acme.json"]) == 3
    assert "no domain recorded" in capsys.readouterr().err


@pytest.mark.parametrize("domain", ["../../etc", "a/b.example", ""])
def test_replay_with_hostile_domain_is_refused(workdir: Path, capsys, domain: str) -> None:
    document = json.loads(ACME_SNAPSHOT.read_text(encoding="utf-8"))
    document["metadata"] = {"domain": domain, "profile": "trimble-identity", "command": []}
    (workdir / "evil.json").write_text(json.dumps(document), encoding="utf-8")
    assert main(["report", "--replay", "evil.json"]) == 3
    assert not (workdir / "reports").exists()


def test_replay_with_domain_argument_is_a_usage_error(workdir: Path, capsys) -> None:
    assert main(["report", "acme.example", "--replay", "acme.json"]) == 3


def test_report_without_domain_is_a_usage_error(workdir: Path, capsys) -> None:
    assert main(["report"]) == 3
    assert "required: domain" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "starts"),
    [(["--json"], "{"), (["--format", "json"], "{"), (["--stdout"], "mailcheck 0.1.0")],
)
def test_stdout_modes_print_and_write_no_folder(workdir: Path, capsys, flags, starts) -> None:
    assert main(["report", "acme.example", "--snapshot", "acme.json", *flags]) in COMPLETED
    assert capsys.readouterr().out.startswith(starts)
    assert not (workdir / "reports").exists()


def test_stdout_mode_output_writes_one_file(workdir: Path, capsys) -> None:
    args = ["report", "acme.example", "--snapshot", "acme.json", "--format", "html"]
    assert main([*args, "--output", "one.html"]) in COMPLETED
    assert (workdir / "one.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_reports_dir_env_moves_the_default_folder(workdir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MAILCHECK_REPORTS_DIR", "elsewhere")
    assert main(["report", "acme.example", "--snapshot", "acme.json"]) in COMPLETED
    assert (workdir / "elsewhere" / "acme.example" / ACME_FOLDER / "report.html").is_file()


def test_snippets_are_written_one_file_each(tmp_path: Path, html_report) -> None:
    report, evidence = html_report
    bundle.write_bundle(report, evidence, tmp_path)
    written = sorted(p.name for p in (tmp_path / "snippets").iterdir())
    assert written == ["snippet-0.txt", "snippet-1.txt"]
    assert (tmp_path / "snippets" / "snippet-1.txt").read_bytes() == b"52.101.68.20 OK\n"


@pytest.mark.parametrize(
    ("stamp", "folder"),
    [
        ("2026-11-22T03:00:00Z", "20261122T030000Z"),
        ("2026-11-22T04:00:00+01:00", "20261122T030000Z"),
    ],
)
def test_folder_name_is_utc_basic_format(stamp: str, folder: str) -> None:
    assert bundle.folder_name(stamp) == folder


def test_folder_name_rejects_garbage() -> None:
    from mailcheck.base.errors import ReportError

    with pytest.raises(ReportError):
        bundle.folder_name("../../etc")
