"""Typed facts to the edge (issue 14, part 1), kept true by reading the source.

- Checks hand their facts on as frozen dataclasses (``mailcheck/facts/``); only
  ``report/json.py`` turns them into JSON data, so no other module calls ``dataclasses.asdict``
  on facts, and none reads facts by a string key (``facts["hosts"]``, ``facts.get("hosts")``).
- Nobody finds a check's facts by its name (``r.check == "provider"`` next to ``r.facts``):
  ``model.facts_of(results, ProviderFacts)`` finds them by type.
- ``mailcheck/facts/`` sits just above ``model``: the checks, the renderers and the snippets all
  import it, so it imports none of them.
- The import graph has no circles, counting imports under ``TYPE_CHECKING`` and inside functions
  (the pure half of a check never imports its I/O half).
- The message check, the audit and ``--compare``'s changes section hand on typed facts too
  (``MessageFacts``, ``AuditFacts``, ``ChangesFacts``): no result is built from a dict literal or
  a ``to_json()`` mapping, and only the two JSON writers call ``facts.jsonable``.
- Templates read typed facts by attribute: no ``facts_data`` filter, no ``.get()`` on facts.
- One type per shape: no two dataclasses in the package have the same fields (the "tell the
  sender" fix once duplicated ``SenderFix``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from mailcheck.base.model import Facts
from mailcheck.facts.audit import AuditFacts
from mailcheck.message.facts import MessageFacts

PACKAGE = Path(__file__).resolve().parent.parent / "mailcheck"
TEMPLATES = PACKAGE / "report" / "templates"
JSON_WRITER = "report/json.py"  # the one place facts become JSON data
# Modules allowed to read mapping facts by key, each with why. A new entry needs a reason and
# shrinks later.
MAPPING_FACTS_READERS: dict[str, str] = {
    # compares two saved report.json files: JSON data read back, not facts objects
    "app/diff.py": "reads the facts of saved report.json documents",
}
# Callers of facts.jsonable (dataclasses to JSON values): the report and the sink's own store.
JSONABLE_CALLERS = frozenset({JSON_WRITER, "smtp/analysis.py"})
# Templates may look keys up only in these constant tables of report/html.py, never in facts.
TEMPLATE_TABLES = ("mx_states", "dnsbl_states")
# sink.html lays out the sink's stored index rows (JSON it wrote itself), not check facts.
NOT_FACTS_TEMPLATES = frozenset({"sink.html"})


def sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _mentions_facts(node: ast.AST) -> bool:
    """The expression is ``facts`` or ``<something>.facts`` (or a name ending in ``facts``)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "facts"
    return isinstance(node, ast.Name) and node.id.endswith("facts")


def _is_asdict(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "asdict") or (
        isinstance(func, ast.Name) and func.id == "asdict"
    )


def asdict_on_facts(name: str, tree: ast.Module) -> list[str]:
    """``asdict`` of anything named facts, or any ``asdict`` at all in checks/ and facts/."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_asdict(node):
            on_facts = any(_mentions_facts(arg) for arg in node.args)
            if on_facts or name.startswith(("checks/", "facts/")):
                found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


def string_keyed_facts(name: str, tree: ast.Module) -> list[str]:
    """``facts["key"]`` and ``facts.get("key")`` on anything named facts."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and _mentions_facts(node.value)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and _mentions_facts(node.func.value)
        ):
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


def _compares_check_name(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Attribute)
        and node.left.attr == "check"
        and any(isinstance(c, ast.Constant | ast.Tuple | ast.Name) for c in node.comparators)
    )


def facts_by_check_name(name: str, tree: ast.Module) -> list[str]:
    """A function that picks a result by ``.check`` name and reads its ``.facts``."""
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        nodes = list(ast.walk(func))
        picks = any(_compares_check_name(n) for n in nodes)
        reads = any(isinstance(n, ast.Attribute) and n.attr == "facts" for n in nodes)
        if picks and reads:
            found.append(f"{name}:{func.lineno}: {func.name}")
    return found


def test_no_module_but_the_json_writer_turns_facts_into_dicts() -> None:
    offenders = [
        hit
        for name, tree in sources()
        if name != JSON_WRITER
        for hit in asdict_on_facts(name, tree)
    ]
    assert offenders == [], "facts become JSON only in report/json.py (facts_data)"


def test_no_module_reads_facts_by_string_key() -> None:
    offenders = [
        hit
        for name, tree in sources()
        if name != JSON_WRITER and name not in MAPPING_FACTS_READERS
        for hit in string_keyed_facts(name, tree)
    ]
    assert offenders == [], "read typed facts by attribute (mailcheck/facts/)"


def test_no_module_finds_facts_by_check_name() -> None:
    offenders = [
        hit
        for name, tree in sources()
        if name not in MAPPING_FACTS_READERS
        for hit in facts_by_check_name(name, tree)
    ]
    assert offenders == [], "find facts by type: model.facts_of(results, SomeFacts)"


def test_the_listed_mapping_readers_still_need_their_exception() -> None:
    """An exception that is no longer needed is removed, so the list only shrinks."""
    trees = dict(sources())
    for name in MAPPING_FACTS_READERS:
        tree = trees[name]
        hits = string_keyed_facts(name, tree) + facts_by_check_name(name, tree)
        assert hits, f"{name} reads no facts by key any more: drop it from MAPPING_FACTS_READERS"


def test_facts_import_only_the_model_and_protocol_values() -> None:
    allowed = (
        "mailcheck.base.model",
        "mailcheck.facts",
        "mailcheck.protocols.dmarc",
        "mailcheck.protocols.spf.trace",
    )
    allowed += ("mailcheck.base.idn",)
    offenders = [
        f"{name} imports {module}"
        for name, tree in sources()
        if name.startswith("facts/")
        for module in _imports(tree, {})
        if module.startswith("mailcheck") and not module.startswith(allowed)
    ]
    assert offenders == []


def _module_names() -> dict[str, str]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("mailcheck", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path.relative_to(PACKAGE).as_posix()
    return names


def _imports(tree: ast.Module, modules: dict[str, str]) -> set[str]:
    """Every module imported anywhere in the file; ``from pkg import sub`` counts as ``pkg.sub``."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return found


def import_circles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    modules = _module_names()
    trees = dict(sources())
    graph = {
        m: sorted(t for t in _imports(trees[path], modules) if t in modules and t != m)
        for m, path in modules.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if edge < len(graph[node]):
                work.append((node, edge + 1))
                target = graph[node][edge]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return circles


def test_the_import_graph_has_no_circles() -> None:
    assert import_circles() == []


def _facts_argument(call: ast.Call) -> ast.expr | None:
    """The facts given to ``CheckResult(check, title, findings, facts)``, if any."""
    named = next((k.value for k in call.keywords if k.arg == "facts"), None)
    return named if named is not None else (call.args[3] if len(call.args) > 3 else None)


def mapping_facts_built(name: str, tree: ast.Module) -> list[str]:
    """``CheckResult`` calls whose facts are a dict literal or a ``to_json()``/``dict()``."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("CheckResult")):
            continue
        facts = _facts_argument(node)
        built = isinstance(facts, ast.Dict | ast.DictComp) or (
            isinstance(facts, ast.Call) and ast.unparse(facts.func).endswith(("to_json", "dict"))
        )
        named = isinstance(facts, ast.Name) and _assigned_dict(tree, facts.id)
        if built or named:
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


def _assigned_dict(tree: ast.Module, variable: str) -> bool:
    return any(
        isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(node.value, ast.Dict | ast.DictComp)
        and any(isinstance(t, ast.Name) and t.id == variable for t in _targets(node))
        for node in ast.walk(tree)
    )


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return list(node.targets) if isinstance(node, ast.Assign) else [node.target]


def test_every_result_carries_typed_facts() -> None:
    """No exception left: ``CheckResult.facts`` is ``Facts | None`` (mypy holds it too)."""
    offenders = [hit for name, tree in sources() for hit in mapping_facts_built(name, tree)]
    assert offenders == [], "hand a frozen Facts dataclass to CheckResult (mailcheck/facts/)"


def test_message_and_audit_facts_are_typed_facts() -> None:
    assert issubclass(MessageFacts, Facts) and issubclass(AuditFacts, Facts)
    assert not hasattr(MessageFacts, "to_json"), "facts become JSON only in report/json.py"


def test_only_the_json_writers_call_jsonable() -> None:
    callers = {
        name
        for name, tree in sources()
        if name != "facts/jsonable.py"  # its own recursion
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("jsonable")
    }
    assert callers == JSONABLE_CALLERS


def test_no_module_knows_a_facts_data_helper() -> None:
    offenders = [
        f"{name}:{node.lineno}"
        for name, tree in sources()
        for node in ast.walk(tree)
        if (isinstance(node, ast.Name) and node.id == "facts_data")
        or (isinstance(node, ast.FunctionDef) and node.name == "facts_data")
        or (isinstance(node, ast.alias) and node.name == "facts_data")
    ]
    assert offenders == []


def _template_lookups(text: str) -> list[str]:
    """``facts_data`` and every ``.get(`` not on one of html.py's constant tables."""
    hits = [m.group(0) for m in re.finditer(r"facts_data", text)]
    for match in re.finditer(r"([\w.\])]+)\.get\(", text):
        if match.group(1) not in TEMPLATE_TABLES:
            hits.append(match.group(0))
    return hits


def test_templates_read_typed_facts_by_attribute() -> None:
    offenders = [
        f"{path.name}: {hit}"
        for path in sorted(TEMPLATES.glob("*.html"))
        if path.name not in NOT_FACTS_TEMPLATES
        for hit in _template_lookups(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "read facts by attribute: {% set facts = typed_facts(result) %}"


def test_the_template_rule_catches_a_key_lookup() -> None:
    assert _template_lookups('{{ facts.get("hosts") }} {{ mx_states.get(state) }}') == [
        "facts.get("
    ]
    assert _template_lookups("{% set facts = result.facts | facts_data %}") == ["facts_data"]


def _dataclass_fields(tree: ast.Module) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each dataclass with its fields as ``name: annotation``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            "dataclass" in ast.unparse(d) for d in node.decorator_list
        ):
            names = tuple(
                f"{s.target.id}: {ast.unparse(s.annotation)}"
                for s in node.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            )
            if len(names) > 2:  # two-field pairs coincide by chance
                yield node.name, names


def test_no_two_dataclasses_have_the_same_fields() -> None:
    seen: dict[tuple[str, ...], str] = {}
    duplicates = []
    for name, tree in sources():
        for cls, fields in _dataclass_fields(tree):
            if fields in seen:
                duplicates.append(f"{name}:{cls} has the fields of {seen[fields]}")
            seen.setdefault(fields, f"{name}:{cls}")
    assert duplicates == [], "keep one type per shape"
