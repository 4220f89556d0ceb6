"""A bulk run's ``index.html`` in real headless Chromium: quiet under its CSP, and sortable."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reportdata import ACME_SNAPSHOT
from test_browser import context, open_watched  # noqa: F401  (context is a fixture)

from mailcheck.cli import main


def test_bulk_index_is_quiet_and_sorts(context, tmp_path, monkeypatch, artifacts) -> None:  # noqa: F811
    monkeypatch.chdir(tmp_path)
    # acme.example is in the snapshot; the .test lab domain is not, so its lookups fail (error).
    Path("domains.txt").write_text("acme.example\nlab.test\n", encoding="utf-8")
    argv = ["report", "--domains-file", "domains.txt", "--snapshot", str(ACME_SNAPSHOT)]
    with ThreadPoolExecutor(1) as pool:  # Playwright runs a loop in this thread already
        assert pool.submit(main, [*argv, "--output", "out", "--quiet"]).result(timeout=120) == 4
    watched = open_watched(context, tmp_path / "out" / "index.html")
    page = watched.page
    first_column = "#summary tbody tr td:first-child"
    assert page.locator(first_column).all_inner_texts() == ["lab.test", "acme.example"]
    page.click("button[data-sort='0']")
    assert page.locator(first_column).all_inner_texts() == ["acme.example", "lab.test"]
    page.click("button[data-sort='0']")
    assert page.locator(first_column).all_inner_texts() == ["lab.test", "acme.example"]
    page.click("#summary tbody tr:last-child a")
    page.wait_for_load_state("load")
    assert page.url.endswith("/out/acme.example/report.html")
    page.go_back()
    page.screenshot(path=str(artifacts / "bulk-index.png"), full_page=True)
    assert watched.errors == [] and watched.console == [] and watched.violations() == []
    page.close()
