"""Issue 15 item 4 and the output-link item: a crash exits 5 with one line (never 1, the code
for warnings), and no output file is ever written through a link planted where it goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import mailcheck.cli.rules
from mailcheck.cli import main

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme.json"
REPORT = ["report", "acme.example", "--profile", "trimble-identity", "--snapshot", str(ACME)]
VICTIM_TEXT = "precious\n"


def _crash(message: str):
    def command(*, markdown: bool) -> int:
        raise RuntimeError(message)

    return command


# The one place a test replaces our own code: no input is known to crash a command (that is
# the point of the issue), so a command that raises stands in for the next unknown bug.
@pytest.mark.parametrize("message", ["boom", "two\nlines", "\x1b]0;TITLE\x07\x1b[2J", ""])
def test_unexpected_exception_exits_5_with_one_line(monkeypatch, capsys, message):
    monkeypatch.setattr(mailcheck.cli.rules, "codes", _crash(message))
    assert main(["codes"]) == 5
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("mailcheck: internal error: RuntimeError: ")
    assert "-v" in lines[0] and lines[0].isprintable()
    assert "Traceback" not in captured.err


def test_unexpected_exception_with_verbose_shows_the_traceback(monkeypatch, capsys):
    monkeypatch.setattr(mailcheck.cli.rules, "codes", _crash("boom"))
    assert main(["-v", "codes"]) == 5
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err
    assert err.splitlines()[-1].startswith("mailcheck: internal error: RuntimeError: boom")


def test_keyboard_interrupt_is_still_130(monkeypatch):
    def interrupted(*, markdown: bool) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(mailcheck.cli.rules, "codes", interrupted)
    assert main(["codes"]) == 130


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--replay", "/nonexistent/evidence.json"],
        ["report", "acme.example", "--snapshot", "/nonexistent.json"],
        ["rules", "show", "no-such-profile"],
        ["report", "bad domain!"],
        ["snippets", "--filter", "nope"],
    ],
)
def test_bad_input_exits_3(capsys, argv):
    assert main(argv) == 3
    assert len(capsys.readouterr().err.splitlines()) == 1


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim" / "precious.txt"
    path.parent.mkdir()
    path.write_text(VICTIM_TEXT)
    return path


def _plant(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


def _untouched(victim: Path) -> None:
    assert victim.read_text() == VICTIM_TEXT
    assert sorted(p.name for p in victim.parent.iterdir()) == [victim.name]


@pytest.mark.parametrize("name", ["report.html", "report.json", "evidence.json", "snippets/x"])
def test_report_folder_replaces_planted_links(tmp_path, capsys, victim, name):
    out = tmp_path / "out"
    planted = out / ("snippets/postfix.cf" if name == "snippets/x" else name)
    _plant(planted, victim)
    assert main([*REPORT, "--output", str(out)]) in (0, 1, 2)
    _untouched(victim)
    assert planted.is_file() and not planted.is_symlink()
    assert [p.name for p in out.rglob(".*.tmp")] == []


def test_report_folder_refuses_a_linked_snippets_folder(tmp_path, capsys, victim):
    out = tmp_path / "out"
    _plant(out / "snippets", victim.parent)
    assert main([*REPORT, "--output", str(out)]) == 5
    assert "symbolic link" in capsys.readouterr().err
    _untouched(victim)


def test_dangling_link_is_not_followed_to_create_its_target(tmp_path, capsys):
    out = tmp_path / "out"
    target = tmp_path / "elsewhere" / "created-by-mailcheck.html"
    target.parent.mkdir()
    _plant(out / "report.html", target)
    assert main([*REPORT, "--output", str(out)]) in (0, 1, 2)
    assert not target.exists()


def test_report_single_format_output_replaces_a_link(tmp_path, capsys, victim):
    output = tmp_path / "report.json"
    _plant(output, victim)
    assert main([*REPORT, "--format", "json", "--output", str(output)]) in (0, 1, 2)
    _untouched(victim)
    assert output.read_text().startswith("{")


@pytest.mark.parametrize("output", ["/", "."])
def test_output_to_a_folder_is_a_one_line_error(capsys, output):
    assert main([*REPORT, "--format", "json", "--output", output]) == 5
    err = capsys.readouterr().err
    assert err.startswith(f"mailcheck: error: {output}: cannot write") and "internal" not in err


def test_snippets_output_replaces_planted_links(tmp_path, capsys, victim):
    out = tmp_path / "snippets"
    for name in ("exim.conf", "spamassassin.cf", "rspamd.conf"):  # files the command writes
        _plant(out / name, victim)
    assert main(["snippets", "--profile", "trimble-identity", "--output", str(out)]) == 0
    _untouched(victim)
    assert not any(p.is_symlink() for p in out.iterdir())
    assert (out / "exim.conf").read_text().startswith("# mailcheck allowlist snippet")


def test_write_file_creates_in_place_and_replaces_what_is_there(tmp_path):
    from mailcheck.base.outfiles import write_file

    write_file(tmp_path / "new.txt", b"first")  # new: created with O_EXCL, no temp file
    write_file(tmp_path / "new.txt", b"second")  # there already: written beside, renamed over
    (tmp_path / "victim").write_bytes(b"keep")
    (tmp_path / "link.txt").symlink_to(tmp_path / "victim")
    write_file(tmp_path / "link.txt", b"ours")
    assert (tmp_path / "new.txt").read_bytes() == b"second"
    assert (
        not (tmp_path / "link.txt").is_symlink() and (tmp_path / "victim").read_bytes() == b"keep"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "new.txt", "victim"]
