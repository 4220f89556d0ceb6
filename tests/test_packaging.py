"""The wheel carries rules/ and finds it when installed outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile


def test_wheel_contains_rules_and_cli(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "mailcheck/rules/senders/trimble-identity.toml" in names
    assert "mailcheck/__main__.py" in names
    assert not any(name.startswith("tests/") for name in names)


def test_installed_wheel_loads_rules_outside_source_tree(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "mailcheck", "rules", "list"],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "trimble-identity" in run.stdout
    assert "rules/senders/trimble-identity.toml" in run.stdout
    validate = subprocess.run(
        [
            sys.executable,
            "-c",
            "import mailcheck.rulefiles.loader as r; print(r.builtin_rules_dir())",
        ],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert validate.stdout.strip() == str(site / "mailcheck" / "rules")
