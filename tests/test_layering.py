"""DESIGN.md's boundaries as ARCHITECTURE.md states them: data flows one way, nothing below imports
anything above it, each outside library has one home, and no new import circles.

ARCHITECTURE.md is read here (its table, "Never", "Circles" and "One home" lists), so the document
and the code cannot drift apart; the hand-written cases below are kept as a second, fixed net.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.architecture import ARCHITECTURE, read_architecture, section, ticked

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
        ("base/model", ("mailcheck",)),  # the bottom: imports nothing of ours
        (
            "dns",
            (
                *ABOVE_EVERYTHING,
                "mailcheck.checks",
                "mailcheck.report",
                "mailcheck.snippets",
                "mailcheck.protocols.spf",
                "mailcheck.protocols.dmarc",
                "mailcheck.smtp",
                "mailcheck.message",
            ),
        ),
        (
            "protocols/spf",
            (*ABOVE_EVERYTHING, "mailcheck.checks", "mailcheck.report", "mailcheck.snippets"),
        ),
        (
            "protocols/dmarc",
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


# -- ARCHITECTURE.md: the parts, their arrows and what may never import what -----------------

ARCH = read_architecture()


def part_of_file(path: Path) -> str:
    """The part a file belongs to; "" if it is in no row (see the test for that)."""
    component = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    return ARCH.owner.get(component, "")


def part_of_import(module: str) -> str:
    """``mailcheck.x.y`` -> the part owning ``x``; names of the package itself (``from
    mailcheck import __version__``) belong to the part owning ``__init__``."""
    component = module.split(".")[1] if "." in module else "__init__"
    return ARCH.owner.get(component, ARCH.owner["__init__"])


def files_of(subject: str) -> list[Path]:
    """A part's files, or one module's (``model``, ``dns.live``)."""
    if subject in ARCH.may_import:
        return [p for p in sorted(PACKAGE.rglob("*.py")) if part_of_file(p) == subject]
    return [p for p in modules_under(subject.replace(".", "/")) if p.exists()]


def matches(module: str, target: str) -> bool:
    """Whether an imported ``mailcheck.*`` module is (inside) a part or module path."""
    if target in ARCH.may_import:
        return part_of_import(module) == target
    full = f"mailcheck.{target}"
    return module == full or module.startswith(full + ".")


def test_architecture_md_was_read():
    assert {"base", "dns", "checks", "report", "cli"} <= set(ARCH.may_import)
    assert len(ARCH.never) >= 10 and len(ARCH.homes) >= 4
    named = {t for _, targets in ARCH.never for t in targets} | {s for s, _ in ARCH.never}
    named |= {place for _, places in ARCH.homes for place in places}
    unknown = {n for n in named if n not in ARCH.may_import and not files_of(n)}
    assert unknown == set(), "ARCHITECTURE.md names parts or modules that do not exist"


def test_every_module_belongs_to_a_part():
    homeless = sorted(
        str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if not part_of_file(p)
    )
    assert homeless == [], "add these to a row of ARCHITECTURE.md's table"


def test_parts_import_only_what_their_row_allows():
    offenders = [
        f"{path.relative_to(PACKAGE)} ({part}) imports {module} ({part_of_import(module)})"
        for path in sorted(PACKAGE.rglob("*.py"))
        for part in [part_of_file(path)]
        for module in sorted(imported_modules(path))
        if part and part_of_import(module) not in ARCH.may_import[part] | {part}
    ]
    assert offenders == [], "not allowed by ARCHITECTURE.md's table"


def test_the_table_has_no_circles():
    """Parts can be read top to bottom: the "may import" arrows form no loop."""
    done: set[str] = set()

    def visit(part: str, path: tuple[str, ...]) -> None:
        assert part not in path, f"circle in ARCHITECTURE.md: {' -> '.join((*path, part))}"
        if part not in done:
            for lower in ARCH.may_import[part]:
                visit(lower, (*path, part))
            done.add(part)

    for part in ARCH.may_import:
        visit(part, ())


@pytest.mark.parametrize(("subject", "targets"), ARCH.never, ids=[s for s, _ in ARCH.never])
def test_never(subject, targets):
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in files_of(subject)
        for module in sorted(imported_modules(path))
        if any(matches(module, t) for t in targets)
    ]
    assert offenders == []
    allowed = ARCH.may_import.get(subject, frozenset())
    assert allowed.isdisjoint(targets), f"ARCHITECTURE.md's table contradicts: {subject} never"


def outside_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.split(".")[0] != "mailcheck"}


@pytest.mark.parametrize(("libraries", "places"), ARCH.homes, ids=[h[0][0] for h in ARCH.homes])
def test_outside_library_has_one_home(libraries, places):
    def at_home(path: Path) -> bool:
        module = "mailcheck." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        return any(matches(module, place) for place in places)

    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if not at_home(path)
        for name in sorted(outside_imports(path))
        if any(name == lib or name.startswith(lib + ".") for lib in libraries)
    ]
    assert offenders == []


def module_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports, without edges to its own packages."""
    names = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in PACKAGE.rglob("*.py")
    }
    return {
        name: {
            m
            for m in imported_modules(path)
            if m in names and m != name and not name.startswith(m + ".")
        }
        for name, path in names.items()
    }


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while not group or node not in group:
                group.add(stack.pop())
            if len(group) > 1:
                found.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_circles_are_the_listed_ones():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    listed = {
        frozenset(f"mailcheck.{name}" for name in ticked(line))
        for line in section(text, "Circles")
        if line.startswith("- ")
    }
    found = circles(module_graph())
    new = [sorted(c) for c in found if not any(c <= known for known in listed)]
    gone = [sorted(k) for k in listed if not any(c & k for c in found)]
    assert new == [], "new import circles (break them; ARCHITECTURE.md lists only old ones)"
    assert gone == [], "these circles are gone: delete their lines from ARCHITECTURE.md"
