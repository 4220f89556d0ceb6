"""Terminal text: verdict first, colour only when asked, hostile bytes shown escaped."""

from __future__ import annotations

from mailcheck.model import CheckResult, Finding, Report, Status
from mailcheck.report.text import TextRenderer


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
    assert lines[4].startswith("✗ FAIL  MX007")
    assert lines[5].startswith("! WARN  MX006")


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


def test_summary_shows_at_most_five_findings() -> None:
    many = [Finding("MX006", Status.WARN, f"warning {i}") for i in range(8)]
    text = TextRenderer().summary(report_with(*many))
    assert text.count("MX006") == 5
    assert "8 findings (5 shown)" in text


def test_message_page_leads_with_the_analysis_sentence_and_no_domain_sections():
    """An analyze page answers "why did it land there", not "will the domain receive it"."""
    from mailcheck.model import CheckResult, Finding, Report, Status
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
