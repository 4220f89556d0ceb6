"""Terminal text: verdict first, colour only when asked, hostile bytes shown escaped."""

from __future__ import annotations

from mailcheck.base.model import CheckResult, Finding, Report, Status
from mailcheck.report.text import SUMMARY_SENDER, TextRenderer


def report_with(*findings: Finding) -> Report:
    return Report(
        "0.1.0", "2026-11-22T03:00:00Z", "text.example", None, (CheckResult("mx", "MX", findings),)
    )


def test_text_puts_verdict_first_and_findings_worst_first() -> None:
    report = report_with(
        Finding("MX006", Status.WARN, "MX host is a CNAME"),
        Finding("MX007", Status.FAIL, "No MX host has an address"),
    )
    lines = TextRenderer().render(report).splitlines()
    assert lines[1] == "No. Mail from the sender is at risk of not reaching text.example."
    assert lines[2] == "  You must fix this first: No MX host has an address."
    assert lines[4] == "What you should do"  # MX problems are the receiving side's
    assert lines[5].startswith("  1. ✗ FAIL  MX007")
    assert lines[6].startswith("  2. ! WARN  MX006")


def test_text_without_color_has_no_escape_sequences() -> None:
    text = TextRenderer(color=False).render(report_with(Finding("MX001", Status.PASS, "ok")))
    assert "\x1b" not in text


def test_text_with_color_paints_status() -> None:
    text = TextRenderer(color=True).render(report_with(Finding("MX001", Status.PASS, "ok")))
    assert "\x1b[32m✓ PASS \x1b[0m MX001 ok" in text


def test_text_escapes_control_characters_from_dns() -> None:
    hostile = Finding("MX006", Status.WARN, "host \x1b[2Jevil", evidence=("a\rb",))
    text = TextRenderer(color=False).render(report_with(hostile))
    assert "\x1b" not in text and "\r" not in text
    assert "host \\x1b[2Jevil" in text and "a\\x0db" in text


def test_summary_lists_every_step_of_yours_and_the_senders_worst_first() -> None:
    yours = [Finding("MX006", Status.WARN, f"warning {i}") for i in range(3)]
    theirs = [Finding("SPF004", Status.WARN, f"sender warning {i}") for i in range(10)]
    listed = Finding("BL002", Status.WARN, "192.0.2.1 is listed on a blocklist")
    passes = [Finding("MX001", Status.PASS, "fine")]
    text = TextRenderer().summary(report_with(*yours, *theirs, listed, *passes))
    assert text.count("MX006") == 3
    assert "What the sender should fix (11)\n  ! WARN  BL002" in text  # blocklists first
    assert text.count("SPF004") == SUMMARY_SENDER - 1
    assert f"… {11 - SUMMARY_SENDER} more in report.html" in text
    assert "Everything else: 1 notes and passes" not in text  # plural forms
    assert "Everything else: 1 note or pass, in report.html." in text
    assert text.index("What you should do") < text.index("What the sender should fix")


def test_message_page_leads_with_the_analysis_sentence_and_no_domain_sections():
    """An analyze page answers "why did it land there", not "will the domain receive it"."""
    from mailcheck.base.model import CheckResult, Finding, Report, Status
    from mailcheck.report.html import HtmlRenderer

    sentence = Finding("MSG001", Status.WARN, "Microsoft 365 marked it bulk (BCL 7 ≥ threshold 7)")
    report = Report(
        "0.1.0",
        "2026-11-22T00:00:00Z",
        "junk.eml",
        None,
        (CheckResult("message", "Message analysis: junk.eml", (sentence,)),),
    )
    html = HtmlRenderer().render(report)
    assert "Why did this message land where it did?" in html
    assert "In short." in html and "BCL 7 ≥ threshold 7" in html
    assert 'id="path"' not in html and 'id="sender"' not in html and 'id="receiving"' not in html
