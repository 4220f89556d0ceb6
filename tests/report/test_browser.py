"""The HTML report in headless Chromium (Debian ``/usr/bin/chromium`` driven by Playwright).

Checks what only a browser can: no console message, no CSP violation, no network request
besides the file itself, the copy button, XSS payloads inert. Screenshots go to
``$MAILCHECK_ARTIFACTS`` (else a temporary folder) for a human to look at. Without Chromium or
Playwright the tests skip, and fail under ``CI=true``. Playwright's own browser download is never
used.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from reportdata import ACME_SNAPSHOT, PAYLOADS

from mailcheck.cli import main
from mailcheck.report import bundle, view
from mailcheck.smtp.message import DkimKey, build_message
from tests.smtp.helpers import indexed
from tests.smtp.subprocess_sink import SinkProcess
from tests.tooling import skip_or_fail

SINK_KEY = Path(__file__).parent.parent / "data" / "sink" / "dkim-sinktest.pem"
CHROMIUM = os.environ.get("MAILCHECK_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000
# Runs before any page script; CSP does not apply to it (injected by the driver).
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def require_browser() -> Any:
    """Playwright's sync API, or skip (fail under CI=true) naming what is missing."""
    reason = ""
    try:
        from playwright import sync_api
    except ImportError:
        reason = "playwright is not installed (pip install playwright)"
    if not reason and not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        reason = f"{CHROMIUM} not found (apt-get install chromium)"
    if reason:
        skip_or_fail(reason)
    return sync_api


@dataclass
class Watched:
    """A page and everything it did that a self-contained report must never do."""

    page: Any
    url: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__violations"))

    def assert_quiet(self) -> None:
        assert self.console == []
        assert self.errors == []
        assert self.dialogs == []
        assert self.violations() == []
        assert self.requests == [self.url]


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sync_api = require_browser()
    profile = tmp_path_factory.mktemp("chromium-profile")  # empty user-data-dir
    with sync_api.sync_playwright() as playwright:
        browser_context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            timeout=TIMEOUT_MS,
            viewport={"width": 1200, "height": 900},
        )
        try:
            browser_context.set_default_timeout(TIMEOUT_MS)
            browser_context.add_init_script(WATCH_CSP)
            yield browser_context
        finally:
            browser_context.close()


def open_report(context: Any, report_and_evidence: tuple[Any, str], folder: Path) -> Watched:
    return open_watched(context, bundle.write_bundle(*report_and_evidence, folder))


def open_watched(context: Any, html: Path) -> Watched:
    """A new page on ``html``, recording everything a self-contained page must never do."""
    page = context.new_page()
    watched = Watched(page, html.resolve().as_uri())
    page.on("console", lambda m: watched.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    page.on("request", lambda r: watched.requests.append(r.url))
    page.on("dialog", lambda d: (watched.dialogs.append(d.message), d.dismiss()))
    page.goto(watched.url, wait_until="load")
    return watched


def test_report_loads_quietly_and_looks_right(context, html_report, tmp_path, artifacts) -> None:
    watched = open_report(context, html_report, tmp_path)
    page = watched.page
    assert page.title() == "mailcheck report: html.example · Trimble Identity"
    assert page.locator("h1").inner_text().startswith("Probably.")
    page.locator("details.cell summary").first.click()  # a matrix cell opens to its SPF trace
    assert page.locator("details.cell mark").first.is_visible()
    page.locator("#sender").screenshot(path=str(artifacts / "report-matrix.png"))
    page.screenshot(path=str(artifacts / "report-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("svg.flow-tall").is_visible()
    assert not page.locator("svg.flow-wide").is_visible()
    page.screenshot(path=str(artifacts / "report-phone.png"), full_page=True)
    page.set_viewport_size({"width": 800, "height": 1100})  # about an A4 page at 96 dpi
    page.emulate_media(media="print")
    assert not page.locator("button[data-copy]").first.is_visible()
    page.screenshot(path=str(artifacts / "report-print.png"), full_page=True)
    watched.assert_quiet()
    page.close()


def test_copy_button_copies_the_snippet_text(context, html_report, tmp_path) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    watched = open_report(context, html_report, tmp_path)
    page = watched.page
    expected = view.snippets(html_report[0])[1].text
    button = page.locator("button[data-copy='snippet-2-text']")
    assert page.locator("#snippet-2-text").text_content() == expected
    folded = page.locator("details.snippet-more:has(#snippet-2-text) > summary")
    if folded.count():  # another filter's snippet: one click away, as a reader opens it
        folded.click()
    button.click()
    page.wait_for_function("document.getElementById('snippet-2-status').textContent !== ''")
    assert page.locator("#snippet-2-status").text_content() == "Copied to the clipboard"
    assert page.evaluate("navigator.clipboard.readText()") == expected
    watched.assert_quiet()
    page.close()


def test_xss_payloads_are_inert_text(context, xss_report, tmp_path, artifacts) -> None:
    watched = open_report(context, xss_report, tmp_path)
    page = watched.page
    page.locator("details").evaluate_all("items => items.forEach(d => d.open = true)")
    page.screenshot(path=str(artifacts / "report-xss.png"), full_page=True)
    text = page.locator("body").inner_text()
    for payload in PAYLOADS:
        assert payload in text
    assert page.locator("script").count() == 1  # only the report's own, hashed script
    assert page.locator("img, iframe, object, embed, a[href^='javascript']").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
    watched.assert_quiet()
    page.close()


def test_readme_example_report_in_browser(context, tmp_path, monkeypatch, artifacts) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT), "--output", "r"]
    with ThreadPoolExecutor(1) as pool:  # Playwright runs a loop in this thread already
        assert pool.submit(main, argv).result(timeout=60) < 3
    watched = open_watched(context, tmp_path / "r" / "report.html")
    watched.page.screenshot(path=str(artifacts / "report-acme.png"), full_page=True)
    watched.assert_quiet()
    watched.page.close()


def _wait_analysed(maildir: Path, count: int, timeout: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = indexed(maildir)
        if len(rows) == count and all(row["analysis"] for row in rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"{count} analysed messages not indexed within {timeout} s")


def test_sink_report_in_browser(context, world, tmp_path, artifacts) -> None:
    # A real sink process analysing through the loopback DNS server: one authenticated message,
    # one whose HELO, From and SPF record (xss.example's, served by DNS) carry payloads.
    maildir = tmp_path / "Maildir"
    sink = SinkProcess(maildir, "--nameserver", f"127.0.0.1:{world.port}", analyse=True).start()
    try:
        key = DkimKey.load("sinktest.example", "sel1", SINK_KEY)
        good = build_message("alerts@sinktest.example", "admin@company.example", dkim_key=key)
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=20) as client:
            client.sendmail("bounce@sinktest.example", ["admin@company.example"], good.data)
        hostile = f"From: {PAYLOADS[1]} <a@xss.example>\r\nSubject: x\r\n\r\nhi\r\n".encode()
        with smtplib.SMTP("127.0.0.1", sink.port, local_hostname=PAYLOADS[0], timeout=20) as c:
            c.sendmail("a@xss.example", ["admin@company.example"], hostile)
        hostile_row, good_row = _wait_analysed(maildir, 2)
    finally:
        sink.stop()
    assert good_row["analysis"]["dmarc"]["result"] == "pass"
    assert hostile_row["analysis"]["spf"]["result"] == "permerror"
    assert hostile_row["analysis"]["dmarc"] is None  # the From field names no Author Domain
    out = tmp_path / "sink.html"
    argv = ["sink", "report", "--maildir", str(maildir), "--output", str(out)]
    with ThreadPoolExecutor(1) as pool:  # Playwright runs a loop in this thread already
        assert pool.submit(main, argv).result(timeout=60) == 0
    watched = open_watched(context, out)
    page = watched.page
    page.screenshot(path=str(artifacts / "sink-report.png"), full_page=True)
    overall = page.locator("#overall").inner_text()
    # the unparseable From only warns in ``analyze`` (no DMARC verdict to fail): not suspicious
    assert overall == "2 messages, 1 authenticated (DMARC pass), 0 suspicious"
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    good_cells = rows.nth(1).locator("td")
    assert good_cells.nth(4).inner_text().startswith("pass")
    assert "policy from sinktest.example" in good_cells.nth(4).inner_text()
    assert rows.nth(1).locator(".badge.s-pass").count() == 3  # DKIM, SPF, DMARC
    hostile_text = rows.nth(0).inner_text()
    assert PAYLOADS[0] in hostile_text and "permerror" in hostile_text
    # each row links to the message's own page: headers, analysis, source as text
    assert not page.locator("#message-2").is_visible()
    rows.nth(0).locator("a").click()
    message = page.locator("#message-2")
    assert message.is_visible() and not page.locator("#messages-list").is_visible()
    page.screenshot(path=str(artifacts / "sink-message.png"), full_page=True)
    text = message.inner_text()
    assert "MSG001" in text and PAYLOADS[1] in text and "Subject: x" in text
    assert "DMARC cannot apply: the From field cannot be parsed as an address" in text
    assert page.locator("script, img, iframe, svg, object, embed").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
    watched.assert_quiet()
    page.close()


# Widest right edge of anything not inside a scrolling box, against the viewport.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
    if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  const wide = [...document.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && !scrolls(el); });
  return {page: document.documentElement.scrollWidth, width,
          wide: wide.slice(0, 5).map((el) => el.tagName + " " + el.textContent.slice(0, 60))};
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_report_fits_the_screen_with_everything_open(context, tmp_path, width, xss_report) -> None:
    """Tables (the 6-IP SPF matrix), traces, evidence and snippet lines scroll inside their
    box and long names wrap: no page (domain report, sender report, message analysis, hostile
    data) scrolls sideways, at desktop or phone width."""
    snapshot = ["--snapshot", str(ACME_SNAPSHOT)]
    message = Path(__file__).parent.parent / "data" / "messages" / "barracuda-tagged.eml"
    runs = [
        ["report", "acme.example", *snapshot, "--output", str(tmp_path)],
        ["sender", *snapshot, "--format", "html", "--output", str(tmp_path / "sender.html")],
        ["analyze", str(message), "--format", "html", "--output", str(tmp_path / "msg.html")],
    ]
    with ThreadPoolExecutor(1) as pool:  # Playwright runs a loop in this thread already
        assert all(pool.submit(main, argv).result(timeout=60) < 3 for argv in runs)
    pages = [tmp_path / n for n in ("report.html", "sender.html", "msg.html")]
    pages.append(bundle.write_bundle(*xss_report, tmp_path / "xss"))
    for html in pages:
        watched = open_watched(context, html)
        page = watched.page
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("details").evaluate_all("items => items.forEach(d => d.open = true)")
        fit = page.evaluate(OVERFLOW)
        assert fit["page"] <= fit["width"] and fit["wide"] == [], (html.name, fit)
        watched.assert_quiet()
        page.close()


def test_verdict_leads_with_the_steps_and_the_detected_snippet(context, tmp_path) -> None:
    argv = ["report", "acme.example", "--snapshot", str(ACME_SNAPSHOT), "--output", str(tmp_path)]
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(main, argv).result(timeout=60) < 3
    watched = open_watched(context, tmp_path / "report.html")
    page = watched.page
    answer = page.locator("#answer")
    steps = answer.locator("ol.steps > li")
    assert steps.first.inner_text().startswith("Paste snippets/microsoft365.ps1 in Exchange")
    assert steps.first.locator("pre").inner_text().startswith("# mailcheck allowlist snippet")
    assert "switch it to Enforce" in steps.nth(1).inner_text()
    first_fix = answer.locator("#sender-should-fix ~ ul li").first.inner_text()
    assert "BL002" in first_fix  # the blocklist risk leads the sender's list
    assert (
        page.locator('a[href="#tell-the-sender"]').count()
        == page.locator("#tell-the-sender").count()
    )  # linked only when that section is there
    folded = page.locator("#snippets details.snippet-more")
    assert folded.count() >= 10 and not folded.first.locator("pre").is_visible()
    path = page.locator("svg.flow-wide g.hop").first
    assert "Listed on a DNSBL" in path.locator("text.hop-problem").text_content()
    watched.assert_quiet()
    page.close()
