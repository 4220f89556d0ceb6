"""``mailcheck snippets``: stdout, one file per filter, options, and usage errors (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailcheck.cli import main
from mailcheck.snippets import FilterKind

RULES = Path(__file__).resolve().parent.parent / "data" / "snippets"


def test_writes_one_file_per_filter_and_lists_them(tmp_path, capsys):
    code = main(["snippets", "--profile", "trimble-identity", "--output", str(tmp_path)])
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    # Postfix alone cannot authenticate a sender: without IP entries it has nothing to paste,
    # so no file, and one line saying so instead of a listing entry.
    pasteable = [k for k in FilterKind if k is not FilterKind.POSTFIX]
    assert names == sorted(k.snippet().kind + "." + k.snippet().extension for k in pasteable)
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == len(FilterKind)
    assert listing[0].startswith("microsoft365 ")
    assert listing[-1].startswith("nothing to paste for Postfix: it cannot authenticate")


def test_filter_selection_and_options_reach_the_snippet(tmp_path, capsys):
    argv = [
        "snippets",
        "--rules",
        str(RULES),
        "--profile",
        "snipsender",
        "--filter",
        "postfix",
        "--filter",
        "spamassassin",
        "--include-ip-allowlist",
        "--review-date",
        "2027-03-31",
        "--spamassassin-legacy",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "192.0.2.10/32\tpermit" in out
    assert "whitelist_from_dkim no-reply@snipsender.example snipsender.example" in out
    assert out.count("Review by: 2027-03-31") == 2
    assert "rspamd" not in out


def test_same_arguments_give_the_same_bytes(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        assert main(["snippets", "--profile", "trimble-identity", "--output", str(folder)]) == 0
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes()


@pytest.mark.parametrize(
    "argv",
    [["--filter", "bogus"], ["--review-date", "2027-13-01"], ["--profile", "no-such-profile"]],
)
def test_bad_arguments_exit_3(argv, capsys):
    assert main(["snippets", *argv]) == 3
    assert "mailcheck: error:" in capsys.readouterr().err


def test_refused_profile_exits_3(tmp_path, capsys):
    text = (
        (RULES / "snipsender.toml")
        .read_text()
        .replace("snipsender.example", "us-west-2.amazonses.com")
    )
    (tmp_path / "esp.toml").write_text(text)
    code = main(["snippets", "--rules", str(tmp_path), "--profile", "snipsender"])
    assert code == 3
    assert "shared sending service" in capsys.readouterr().err
