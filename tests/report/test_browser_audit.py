"""The audit and profile-sources sections of a report, in real headless Chromium."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from test_browser import context, open_watched  # noqa: F401  (the module's browser fixture)

from mailcheck.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"


def test_audit_and_sources_sections_in_browser(context, tmp_path, monkeypatch, artifacts):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    argv = [
        "report",
        "acme.example",
        "--snapshot",
        str(DATA / "profile-snapshots" / "trimble-identity.json"),
        "--audit",
        str(DATA / "audit" / "client.cidr"),
        "--output",
        "r",
    ]
    with ThreadPoolExecutor(1) as pool:  # Playwright runs a loop in this thread already
        assert pool.submit(main, argv).result(timeout=60) == 2
    watched = open_watched(context, tmp_path / "r" / "report.html")
    page = watched.page
    audit = page.locator("article[aria-labelledby='check-audit']")
    assert audit.is_visible()
    text = audit.inner_text()
    assert "AUD003" in text and "Amazon SES" in text and "Least-privilege replacement" in text
    sources = page.locator("article[aria-labelledby='check-profile-sources']").inner_text()
    assert "Gewijzigd op Mon, 02 Jan 2023 om 12:49 PM" in sources
    assert "184.173.153.253/32" in sources and "legacy" in sources
    audit.screenshot(path=str(artifacts / "report-audit.png"))
    watched.assert_quiet()
    page.close()
