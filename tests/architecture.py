"""ARCHITECTURE.md parsed: its parts table, "Never" rules and "One home" list (see
tests/test_layering.py, which holds the code to them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ARCHITECTURE = Path(__file__).resolve().parent.parent / "ARCHITECTURE.md"


@dataclass(frozen=True)
class Architecture:
    """What ARCHITECTURE.md states, parsed."""

    owner: dict[str, str]  # first path component under mailcheck/ (module stem or folder) -> part
    may_import: dict[str, frozenset[str]]  # part -> the other parts its row allows
    never: tuple[tuple[str, tuple[str, ...]], ...]  # subject -> parts or module paths
    homes: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # libraries -> parts or modules


def ticked(text: str) -> list[str]:
    """The `quoted` names in a piece of Markdown (a folder's trailing slash dropped)."""
    return [name.rstrip("/") for name in re.findall(r"`([^`]+)`", text)]


def section(text: str, title: str) -> list[str]:
    """The lines of one ``## title`` section."""
    body = text.split(f"\n## {title}\n", 1)[1]
    return body.split("\n## ", 1)[0].splitlines()


def _table(lines: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """part -> its modules cell and part -> its "may import" cell."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in lines
        if line.startswith("| ") and not line.startswith(("| part ", "| ---"))
    ]
    return {r[0]: r[2] for r in rows}, {r[0]: r[3] for r in rows}


def _allowed(cell: str, part: str, parts: set[str]) -> frozenset[str]:
    if cell == "everything":
        return frozenset(parts - {part})
    if cell == "nothing else":
        return frozenset()
    return frozenset(name.strip() for name in cell.split(","))


def read_architecture() -> Architecture:
    """Parse ARCHITECTURE.md; an assertion names what in it is malformed."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    modules, allowed = _table(section(text, "Parts"))
    owner: dict[str, str] = {}
    for part, cell in modules.items():
        for component in ticked(cell):
            assert component not in owner, f"{component} is in two rows of ARCHITECTURE.md"
            owner[component] = part
    may_import = {part: _allowed(cell, part, set(modules)) for part, cell in allowed.items()}
    never = tuple(
        (m[1], tuple(ticked(m[2].split(" (")[0])))
        for line in section(text, "Never")
        if (m := re.match(r"- `([\w.]+)` never imports (.*)", line))
    )
    homes = tuple(
        (tuple(ticked(m[1].split(" (")[0])), tuple(ticked(m[2].split(";")[0])))
        for line in section(text, "One home per outside library")
        if (m := re.match(r"- (.+?): only in (.*)", line))
    )
    return Architecture(owner, may_import, never, homes)
