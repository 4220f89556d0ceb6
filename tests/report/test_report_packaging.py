"""The installed wheel writes the report folder outside the source tree (README's first command)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from reportdata import ACME_FOLDER, ACME_SNAPSHOT

SHIPPED = (
    "mailcheck/report/templates/report.html",
    "mailcheck/report/templates/report.css",
    "mailcheck/report/templates/copy.js",
    "mailcheck/report/templates/check_generic.html",
    "mailcheck/report/templates/check_mx.html",
    "mailcheck/report/templates/snippet_card.html",
    "mailcheck/report/schema.json",
)


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(SHIPPED) <= names
    site = tmp_path_factory.mktemp("site")
    zipfile.ZipFile(wheel).extractall(site)
    return site


def test_installed_report_writes_folder_and_prints_path(site: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mailcheck",
            "report",
            "acme.example",
            "--snapshot",
            str(ACME_SNAPSHOT),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode < 3, run.stderr  # 0-2: every check could decide
    html = Path("reports/acme.example", ACME_FOLDER, "report.html")
    assert f"Report: {html}" in run.stdout
    assert (tmp_path / html).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / html.parent / "snippets").is_dir()
