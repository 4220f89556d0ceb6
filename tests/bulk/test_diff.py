"""What changed: ``mailcheck diff OLD NEW`` and ``report --compare PREVIOUS``.

The second report replays a copy of README's snapshot in which Trimble dropped Amazon SES
from its SPF and acme.example renumbered its MX preference.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailcheck.app.diff import diff_reports, render_text
from mailcheck.cli import main

ACME_SNAPSHOT = Path(__file__).parents[2] / "examples" / "acme.json"
COMPLETED = (0, 1, 2)


@pytest.fixture
def two_reports(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)
    snapshot = json.loads(ACME_SNAPSHOT.read_text(encoding="utf-8"))
    answers = snapshot["answers"]
    answers["account.trimble.com"]["TXT"]["records"] = ["v=spf1 include:mailgun.org -all"]
    answers["acme.example"]["MX"]["records"] = ["5 acme-example.mail.protection.outlook.com"]
    snapshot["recorded_at"] = "2026-11-29T09:00:00Z"
    Path("later.json").write_text(json.dumps(snapshot), encoding="utf-8")
    assert (
        main(["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT), "--output", "old"])
        in COMPLETED
    )
    assert (
        main(["report", "acme.example", "--snapshot", "later.json", "--output", "new"]) in COMPLETED
    )
    return tmp_path / "old", tmp_path / "new"


def test_no_change_exits_zero(two_reports, capsys) -> None:
    old, _ = two_reports
    capsys.readouterr()
    assert main(["diff", str(old), str(old / "report.json")]) == 0
    assert capsys.readouterr().out == "No change for acme.example since 2026-11-22T09:00:00Z.\n"


def test_changes_are_listed_and_exit_one(two_reports, capsys) -> None:
    old, new = two_reports
    capsys.readouterr()
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Changed since 2026-11-22T09:00:00Z (acme.example, now 2026-11-29")
    assert "  - SPF range account.trimble.com: 54.240.0.0/18" in out
    assert "  ~ MX acme.example: 10 acme-example.mail.protection.outlook.com → 5 acme-" in out
    assert "+ SPF range" not in out


def test_json_diff(two_reports, capsys) -> None:
    old, new = two_reports
    capsys.readouterr()
    assert main(["diff", str(old), str(new), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["changed"] is True and data["schema_version"] == 1
    kinds = {c["kind"] for c in data["changes"]}
    assert {"spf-range-removed", "mx"} <= kinds
    assert all(set(c) == {"kind", "subject", "old", "new"} for c in data["changes"])


def test_snippet_text_change_is_named_by_sha256() -> None:
    def report(text: str) -> dict:
        snippet = {"filename": "rspamd.conf", "text": text}
        return {
            "domain": "a.example",
            "checks": [{"check": "snippets", "facts": {"snippets": [snippet]}}],
        }

    diff = diff_reports(report("one\n"), report("two\n"))
    (change,) = diff.changes
    assert change.kind == "snippet" and change.subject == "rspamd.conf"
    assert change.old.startswith("sha256:") and len(change.new) == len("sha256:") + 64
    assert "~ snippet rspamd.conf: sha256:" in render_text(diff)


def test_findings_added_resolved_changed() -> None:
    def report(*findings: tuple[str, str]) -> dict:
        items = [{"code": c, "status": s, "summary": c, "subject": ""} for c, s in findings]
        return {"domain": "a.example", "checks": [{"check": "mx", "findings": items}]}

    diff = diff_reports(
        report(("MX001", "pass"), ("MX006", "warn")), report(("MX006", "fail"), ("MX007", "warn"))
    )
    assert [(c.kind, c.subject) for c in diff.changes] == [
        ("finding-resolved", "MX001 (mx)"),
        ("finding-changed", "MX006 (mx)"),
        ("finding-added", "MX007 (mx)"),
    ]


def test_compare_adds_a_changed_since_section(two_reports, tmp_path: Path, capsys) -> None:
    old, _ = two_reports
    argv = ["report", "acme.example", "--snapshot", "later.json", "--compare", str(old)]
    assert main([*argv, "--output", "compared"]) in COMPLETED
    out = capsys.readouterr().out
    assert "- SPF range account.trimble.com: 54.240.0.0/18" in out
    assert "finding BL001" not in out  # unchanged findings are not listed
    data = json.loads((tmp_path / "compared" / "report.json").read_text(encoding="utf-8"))
    (section,) = [c for c in data["checks"] if c["check"] == "changes"]
    assert section["title"] == "Changed since 2026-11-22"
    assert {f["code"] for f in section["findings"]} == {"CHG001"}
    assert "Changed since 2026-11-22" in (tmp_path / "compared" / "report.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("content", ["not json", "[]", '{"domain": "x"}'])
def test_not_a_report_is_a_usage_error(tmp_path: Path, capsys, content: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["diff", str(bad), str(bad)]) == 3
    assert "bad.json" in capsys.readouterr().err


def test_bulk_compare_reads_the_previous_runs_domain_folders(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("domains.txt").write_text("acme.example\nlab.test\n", encoding="utf-8")
    argv = ["report", "--domains-file", "domains.txt", "--snapshot", str(ACME_SNAPSHOT), "--quiet"]
    assert main([*argv, "--output", "week1"]) == 4
    assert main([*argv, "--output", "week2", "--compare", "week1"]) == 4
    for domain in ("acme.example", "lab.test"):
        data = json.loads((tmp_path / "week2" / domain / "report.json").read_text(encoding="utf-8"))
        (section,) = [c for c in data["checks"] if c["check"] == "changes"]
        assert [f["code"] for f in section["findings"]] == ["CHG002"]  # nothing changed
