"""The command line: version, help, usage errors (exit 3, never argparse's 2), python -m."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mailcheck import __version__
from mailcheck.base.codes import CODES, markdown_table
from mailcheck.cli import build_parser, main

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
        (["report", "acme.example", "--timeout", "soon"], "'soon' is not a number of seconds"),
        (["report", "acme.example", "--nameserver", "dns.example"], "expected IP"),
        (["report", "acme.example", "--nameserver", "127.0.0.1:99999"], "port out of range"),
        (["report", "not a domain!"], "not a valid mail domain"),
        (["report", "acme.example", "--profile", "nope"], "no sender profile 'nope'"),
        (["report", "acme.example", "--snapshot", "missing.json"], "no such file: missing.json"),
        (["report", "acme.example", "--timeout", "0"], "must be more than 0 seconds"),
        (["report", "acme.example", "--timeout", "-1"], "must be more than 0 seconds"),
        (["sender", "--timeout", "nan"], "must be more than 0 seconds"),
        (["analyze", "missing.eml"], "no such file: missing.eml"),
        (["report", "--replay", "missing.json"], "no such file: missing.json"),
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


def _subcommands(parser, path=("mailcheck",)):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _subcommands(sub, (*path, name))


def test_every_subcommand_help_opens_with_a_description(capsys):
    commands = list(_subcommands(build_parser()))
    assert len(commands) >= 12  # report, sender, rules list/show/validate, sink list/show…
    for path, sub in commands:
        assert sub.description, f"{' '.join(path)} --help has no description"
    with pytest.raises(SystemExit):
        main(["sender", "--help"])
    help_text = capsys.readouterr().out
    assert "\n\nCheck a sender's live SPF against its profile" in help_text


def test_usage_errors_have_one_prefix_and_name_the_subcommand(capsys):
    assert main(["report", "acme.example", "--frobnicate"]) == 3
    assert main(["report"]) == 3
    first, second = capsys.readouterr().err.splitlines()
    assert first.startswith("mailcheck: error: unrecognized arguments: --frobnicate")
    assert second.startswith("mailcheck: error: report: the following arguments are required")
    assert "mailcheck: error: mailcheck" not in first + second


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["report", "acme.example", "--snapsot", "x.json"], "(did you mean --snapshot?)"),
        (["report", "acme.example", "--jsno"], "(did you mean --json?)"),
        (["reprot", "acme.example"], "(did you mean report?)"),
        (["rules", "lsit"], "(did you mean list?)"),
    ],
)
def test_typos_get_the_nearest_option_or_command(argv, hint, capsys):
    assert main(argv) == 3
    assert capsys.readouterr().err.rstrip().endswith(hint)


def test_snapshot_that_is_not_json_names_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    assert main(["report", "acme.example", "--snapshot", str(bad)]) == 3
    assert f"mailcheck: error: {bad}: (document): not a JSON snapshot (" in capsys.readouterr().err


def test_domain_missing_from_the_snapshot_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["report", "other.example", "--snapshot", str(REPO / "examples/acme.json")]
    assert main([*argv, "--stdout"]) == 4
    out = capsys.readouterr().out
    assert "Some answers for other.example are not in the snapshot: record one" in out
    assert "Re-run when DNS answers again" not in out


def test_sender_takes_the_profile_one_way(capsys):
    argv = ["sender", "trimble-identity", "--profile", "trimble-identity"]
    assert main([*argv, "--snapshot", str(REPO / "examples/acme.json")]) == 3
    assert "give the profile once, as PROFILE or as --profile, not both" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "command",
    [
        "mailcheck codes | head -5",
        # The reader is gone before mailcheck writes: the pipe is closed for certain.
        "mailcheck codes | true",
        "mailcheck report acme.example --snapshot examples/acme.json --stdout --format json | true",
        "mailcheck sender --snapshot examples/acme.json | true",
        "mailcheck snippets --filter rspamd | true",
    ],
)
def test_piped_into_head_ends_quietly(command, tmp_path):
    script = command.replace("mailcheck ", f"{sys.executable} -m mailcheck ", 1)
    run = subprocess.run(
        ["bash", "-c", f"{script}; exit ${{PIPESTATUS[0]}}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.stderr == ""  # no BrokenPipeError traceback
    assert run.returncode == 0


def test_postfix_snippet_says_there_is_nothing_to_paste(tmp_path, capsys):
    assert (
        main(["snippets", "--filter", "postfix", "--filter", "rspamd", "--output", str(tmp_path)])
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "nothing to paste for Postfix: it cannot authenticate senders; use the SpamAssassin, "
        "rspamd or Amavis snippet"
    ) in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rspamd.conf"]  # no "nowhere" file
    assert main(["snippets", "--filter", "postfix"]) == 0
    printed = capsys.readouterr()
    assert printed.out == "" and "nothing to paste for Postfix" in printed.err


def test_counts_use_singular_for_one(capsys):
    assert main(["rules", "validate", str(REPO / "rules/senders/trimble-identity.toml")]) == 0
    assert "1 file, 0 with errors" in capsys.readouterr().err


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
