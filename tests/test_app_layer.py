"""One application layer: only ``cli/`` speaks of command-line flags and parses them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mailcheck.base.errors import InputError
from mailcheck.cli import main
from mailcheck.cli.inputs import input_message
from mailcheck.dns.live import Nameserver

PACKAGE = Path(__file__).resolve().parent.parent / "mailcheck"


def _outside_cli() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts]


def test_only_the_cli_uses_usage_error() -> None:
    users = [
        str(path.relative_to(PACKAGE))
        for path in _outside_cli()
        if path.name != "errors.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Name) and node.id == "UsageError"
    ]
    assert users == []


def test_nameservers_are_parsed_only_in_the_cli() -> None:
    parsers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "Nameserver.from_text" in path.read_text(encoding="utf-8")
    ]
    assert parsers == ["cli/base.py"]


def test_the_library_names_the_field_and_the_cli_the_flag() -> None:
    with pytest.raises(InputError) as caught:
        Nameserver.from_text("127.0.0.1:99999")
    assert caught.value.field == "nameserver"
    assert "--" not in str(caught.value)
    assert input_message(caught.value) == "--nameserver '127.0.0.1:99999': port out of range"


def test_a_bad_nameserver_is_exit_3_with_the_flag_named(capsys) -> None:
    code = main(["report", "example.test", "--nameserver", "not-an-ip"])
    assert code == 3
    err = capsys.readouterr().err
    assert err == (
        "mailcheck: error: --nameserver 'not-an-ip': expected IP, IP:PORT or [IPv6]:PORT\n"
    )
