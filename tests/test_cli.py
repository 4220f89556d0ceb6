"""The command line: version, help, usage errors (exit 3, never argparse's 2), python -m."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mailcheck import __version__
from mailcheck.cli import build_parser, main
from mailcheck.codes import CODES, markdown_table

REPO = Path(__file__).resolve().parent.parent


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mailcheck {__version__}"


def test_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "exit codes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required"),
        (["frobnicate"], "invalid choice"),
        (["report"], "required: domain"),
        (["report", "acme.example", "--timeout", "soon"], "invalid float value"),
        (["report", "acme.example", "--nameserver", "dns.example"], "expected IP"),
        (["report", "acme.example", "--nameserver", "127.0.0.1:99999"], "port out of range"),
        (["report", "not a domain!"], "not a valid mail domain"),
        (["report", "acme.example", "--profile", "nope"], "no sender profile 'nope'"),
        (["report", "acme.example", "--snapshot", "missing.json"], "cannot read snapshot"),
    ],
)
def test_usage_errors_exit_3_with_one_line(argv, message, capsys):
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("mailcheck: error:") and "Traceback" not in err


def test_verbose_shows_traceback(capsys):
    assert main(["-v", "report", "acme.example", "--snapshot", "missing.json"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli():
    run = subprocess.run(
        [sys.executable, "-m", "mailcheck", "--version"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and run.stdout.startswith("mailcheck ")


def test_codes_lists_every_code(capsys):
    assert main(["codes"]) == 0
    out = capsys.readouterr().out
    assert all(code in out for code in CODES)


def test_every_code_in_the_source_is_documented():
    """A finding code written anywhere in the package must be in the one table."""
    pattern = re.compile(r"""["']([A-Z]{2,4}\d{3})["']""")
    used = {
        m
        for path in (REPO / "mailcheck").rglob("*.py")
        if path.name != "codes.py"
        for m in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert used, "no finding codes found: the pattern is wrong"
    assert sorted(used - set(CODES)) == []


def test_readme_code_table_is_current():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- codes:start -->\n", "<!-- codes:end -->"
    table = readme[readme.index(start) + len(start) : readme.index(end)]
    assert table == markdown_table(), (
        "README's finding-code table is stale: run python .ci/update-readme.py"
    )


def test_every_subcommand_has_help():
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    assert actions and all(choice for choice in actions[0].choices)


@pytest.mark.parametrize(
    ("to_terminal", "environ", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value turns colour off
    ],
)
def test_use_color(to_terminal, environ, expected):
    from mailcheck.cli import use_color

    assert use_color(to_terminal, environ) is expected


def test_text_output_has_no_escape_codes_when_not_a_terminal(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the report folder goes to ./reports: never the checkout
    main(["report", "acme.example", "--snapshot", str(REPO / "examples/acme.json")])
    assert "\x1b[" not in capsys.readouterr().out


def test_readme_help_block_is_current(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps to the terminal width
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- help:start -->\n```text\n", "```\n<!-- help:end -->"
    block = readme[readme.index(start) + len(start) : readme.index(end)]
    assert block == build_parser().format_help(), (
        "README's --help block is stale: run python .ci/update-readme.py"
    )
