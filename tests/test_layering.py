"""DESIGN.md's boundaries: data flows one way, nothing below imports anything above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mailcheck"


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "mailcheck" or m.startswith("mailcheck.")}


def modules_under(part: str) -> list[Path]:
    target = PACKAGE / part
    return sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]


def offenders(part: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in modules_under(part)
        for module in sorted(imported_modules(path))
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    ]


ABOVE_EVERYTHING = ("mailcheck.cli", "mailcheck.app")


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [
        ("model", ("mailcheck",)),  # the bottom: imports nothing of ours
        (
            "dns",
            (
                *ABOVE_EVERYTHING,
                "mailcheck.checks",
                "mailcheck.report",
                "mailcheck.snippets",
                "mailcheck.spf",
                "mailcheck.dmarc",
                "mailcheck.smtp",
                "mailcheck.message",
            ),
        ),
        ("spf", (*ABOVE_EVERYTHING, "mailcheck.checks", "mailcheck.report", "mailcheck.snippets")),
        (
            "dmarc",
            (*ABOVE_EVERYTHING, "mailcheck.checks", "mailcheck.report", "mailcheck.snippets"),
        ),
        ("checks", (*ABOVE_EVERYTHING, "mailcheck.report", "mailcheck.snippets")),
        ("report", (*ABOVE_EVERYTHING, "mailcheck.checks", "mailcheck.dns.live")),
        ("snippets", (*ABOVE_EVERYTHING, "mailcheck.checks", "mailcheck.report", "mailcheck.dns")),
        ("message", (*ABOVE_EVERYTHING, "mailcheck.checks", "mailcheck.dns.live")),
        ("smtp", (*ABOVE_EVERYTHING, "mailcheck.report")),
    ],
)
def test_part_does_not_import_upwards(part, forbidden):
    assert offenders(part, forbidden) == []


def test_only_dns_live_imports_the_dnspython_resolver():
    users = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any(
            name in ("dns.resolver", "dns.asyncresolver")
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        )
    ]
    assert users == ["dns/live.py"] or set(users) == {"dns/live.py"}
