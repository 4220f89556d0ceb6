"""Findings by owner and the plan every renderer leads with: what you do, what the sender fixes."""

from __future__ import annotations

import json

import pytest
from reportdata import ACME_SNAPSHOT, snippet_output

from mailcheck.base.codes import CODES, OWNER_BY_PREFIX, OWNER_EXCEPTIONS, Owner, code_prefix, owner
from mailcheck.base.model import CheckResult, Finding, Report, Status
from mailcheck.cli import main
from mailcheck.report import actions, view
from mailcheck.report.html import HtmlRenderer
from mailcheck.snippets.interface import SnippetsFacts


def report_with(*findings: Finding, checks: tuple[CheckResult, ...] = ()) -> Report:
    results = (CheckResult("mx", "MX", findings), *checks)
    return Report("0.1.0", "2026-11-22T03:00:00Z", "owner.example", None, results)


def test_every_code_prefix_has_an_owner() -> None:
    """A code with a new prefix must say whose it is: add the prefix to OWNER_BY_PREFIX."""
    assert sorted({code_prefix(c) for c in CODES} - set(OWNER_BY_PREFIX)) == []
    assert sorted(set(OWNER_EXCEPTIONS) - set(CODES)) == []


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("BL002", Status.WARN, Owner.SENDER),
        ("SPF002", Status.FAIL, Owner.SENDER),
        ("MX007", Status.FAIL, Owner.YOURS),
        ("TLS002", Status.WARN, Owner.YOURS),
        ("MSG018", Status.WARN, Owner.YOURS),
        ("MSG016", Status.FAIL, Owner.SENDER),
        ("MSG003", Status.WARN, Owner.INFORMATION),
        ("SPF001", Status.PASS, Owner.INFORMATION),  # nothing to fix
        ("TLS002", Status.INFO, Owner.INFORMATION),
        ("BL006", Status.ERROR, Owner.YOURS),  # could not check: yours to re-run
    ],
)
def test_owner(code: str, status: Status, expected: Owner) -> None:
    assert owner(Finding(code, status, "x")) is expected


def test_plan_puts_each_finding_in_one_place_yours_first_blocklists_first() -> None:
    findings = (
        Finding("SPF004", Status.WARN, "no SPF at a staging sender"),
        Finding("BL002", Status.WARN, "192.0.2.1 is listed"),
        Finding("MX006", Status.WARN, "MX host is a CNAME"),
        Finding("MX009", Status.ERROR, "MX lookup timed out"),
        Finding("MX001", Status.PASS, "MX hosts found"),
    )
    todo = actions.plan(report_with(*findings), ())
    assert [s.code for s in todo.yours] == ["MX009", "MX006"]  # could-not-check first
    assert todo.yours[0].text.startswith("Could not check, so re-run: MX lookup timed out")
    assert [f.code for f in todo.sender] == ["BL002", "SPF004"]
    assert [f.code for f in todo.rest] == ["MX001"]


def test_detected_snippet_is_a_numbered_step_with_its_follow_ups() -> None:
    snippet = snippet_output(
        "microsoft365",
        "New-TransportRule\n",
        filename="microsoft365.ps1",
        where="Exchange Online PowerShell",
        then=("Switch the rule to Enforce",),
    )
    facts = SnippetsFacts("microsoft-365", (snippet_output("postfix", "x"), snippet))
    report = report_with(checks=(CheckResult("snippets", "S", (), facts),))
    snippets = view.snippets(report)
    todo = actions.plan(report, snippets)
    assert [s.text for s in todo.yours] == [
        "Paste snippets/microsoft365.ps1 in Exchange Online PowerShell.",
        "Switch the rule to Enforce",
    ]
    assert todo.snippet is not None and todo.snippet.filename == "microsoft365.ps1"
    assert view.verdict(report, snippets).action.startswith(
        "Allow it with the microsoft365 snippet (step 1 below)."
    )


def test_unrecognised_filter_says_which_folder_to_pick_from() -> None:
    facts = SnippetsFacts("", (snippet_output("postfix", "x"),))
    report = report_with(checks=(CheckResult("snippets", "S", (), facts),))
    todo = actions.plan(report, view.snippets(report))
    assert todo.snippet is None
    assert "pick its file in snippets/" in todo.yours[0].text


def test_report_json_leads_with_the_plan_and_owners(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT), "--stdout"]
    assert main([*argv, "--format", "json"]) == 1
    text = capsys.readouterr().out
    data = json.loads(text)
    assert text.startswith('{\n  "actions": {\n    "receiver_steps": [')
    steps = data["actions"]["receiver_steps"]
    assert steps[0]["snippet"] == "snippets/microsoft365.ps1"
    assert "switch it to Enforce" in steps[1]["text"]
    assert data["actions"]["sender_fixes"][0]["code"] == "BL002"
    assert {f["owner"] for f in data["findings"]} == {"sender", "information"}


def test_terminal_names_the_snippet_where_the_action_is(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT)]) == 1
    out = capsys.readouterr().out
    steps = out[out.index("What you should do") : out.index("What the sender should fix")]
    assert "  1. Paste snippets/microsoft365.ps1 in Exchange Online PowerShell" in steps
    assert "     File: reports/acme.example/20261122T090000Z/snippets/microsoft365.ps1" in steps
    assert "     Risk: LOW — address-level entries honoured only when DMARC passes" in steps
    assert "  2. The rule starts in Audit mode" in steps
    assert "below" not in out.replace("(step 1 below)", "")  # nothing else points "below"
    sender = out[out.index("What the sender should fix") :]
    assert sender.splitlines()[1].startswith("  ! WARN  BL002 54.240.27.191")
    assert out.index("BL002") < 1500  # the blocklist risk is near the top, not 70 lines down


def test_html_links_to_tell_the_sender_only_when_that_section_exists(tmp_path) -> None:
    report = report_with(Finding("SPF004", Status.WARN, "no SPF"))
    html = HtmlRenderer().render(report)  # no sender profile: no section, so no link
    assert 'id="tell-the-sender"' not in html and 'href="#tell-the-sender"' not in html
    argv = ["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT), "--output", str(tmp_path)]
    main(argv)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="tell-the-sender"' in html and 'href="#tell-the-sender"' in html


def test_sender_command_states_its_decision_before_the_matrix(capsys) -> None:
    argv = ["sender", "trimble-identity", "--snapshot", str(ACME_SNAPSHOT)]
    assert main(argv) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1] == (
        "Probably. Trimble Identity's published setup: account.trimble.com passes SPF for all "
        "6 listed IPs; account.stage.utilities.trimblecloud.com: 3 of 6 IPs fail SPF "
        "(softfail); account.stage.identity.trimblecloud.com publishes no SPF record; 1 IP is "
        "on a blocklist (54.240.27.191); 2 sender domains without a DMARC policy."
    )
    assert "should reach" not in out
    assert out.index("What the sender should fix (17)") < out.index("SPF matrix for profile")
    assert out.index("SPF matrix for profile") < out.index("Every finding with its evidence")


def test_sender_html_page_asks_about_the_sender_not_a_mailbox(tmp_path) -> None:
    page = tmp_path / "sender.html"
    argv = ["sender", "--snapshot", str(ACME_SNAPSHOT), "--format", "html", "--output", str(page)]
    assert main(argv) == 1
    html = page.read_text(encoding="utf-8")
    assert "Is Trimble Identity's published setup right?" in html
    assert "Trimble Identity&#39;s published setup: account.trimble.com passes SPF" in html
    assert 'id="you-should-do"' not in html and 'id="snippets"' not in html
    assert 'id="sender-should-fix"' in html


def test_every_findings_table_row_says_whose_it_is() -> None:
    report = report_with(
        Finding("MX006", Status.WARN, "MX host is a CNAME"),
        Finding("BL002", Status.WARN, "listed"),
        Finding("MX001", Status.PASS, "fine"),
    )
    html = HtmlRenderer().render(report)
    rows = html.split('<table class="findings">', 1)[1].split("</table>", 1)[0]
    assert rows.count("<tr>") == 4  # header + three findings
    for label in ("yours to fix", "the sender&#39;s to fix", "information"):
        assert f'<span class="detail">{label}</span>' in rows
