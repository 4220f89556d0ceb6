"""The generic facts view: every fact a check gathered, as a typed tree the templates draw.

Checks without a partial of their own (and every partial, folded at its foot) show their facts
as they stand in ``report.json`` (``report.json.facts_json``). This module turns that data into
``FactNode``s once, so the template (``macros.html`` ``fact_node``) only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mailcheck.base.model import Facts
from mailcheck.report.json import facts_json

MAX_DEPTH = 8  # deeper nesting is shown as "nested too deep to show"
MAX_ITEMS = 200  # longer lists are cut in the HTML (report.json has them all)


class NodeKind(StrEnum):
    """What a node draws as."""

    MAP = "map"  # a definition list of keys and values
    LIST = "list"  # a numbered list, cut at MAX_ITEMS
    TEXT = "text"  # a string (empty shown as "")
    NONE = "none"  # null
    VALUE = "value"  # a number or a boolean, as text
    DEEP = "deep"  # beyond MAX_DEPTH


@dataclass(frozen=True)
class FactNode:
    """One value of the facts' JSON data."""

    kind: NodeKind
    text: str = ""
    entries: tuple[tuple[str, FactNode], ...] = ()  # MAP
    items: tuple[FactNode, ...] = ()  # LIST, the first MAX_ITEMS
    more: int = 0  # LIST items left out


def fact_tree(facts: Facts | None) -> FactNode | None:
    """The facts as a tree, or None when there are none."""
    data = facts_json(facts)
    return _node(data, 0) if data else None


def _node(value: object, depth: int) -> FactNode:
    if depth > MAX_DEPTH:
        return FactNode(NodeKind.DEEP)
    if isinstance(value, Mapping):
        entries = tuple((str(k), _node(v, depth + 1)) for k, v in value.items())
        return FactNode(NodeKind.MAP, entries=entries)
    if isinstance(value, str):
        return FactNode(NodeKind.TEXT, value)
    if isinstance(value, Sequence):
        items = tuple(_node(v, depth + 1) for v in value[:MAX_ITEMS])
        return FactNode(NodeKind.LIST, items=items, more=max(len(value) - MAX_ITEMS, 0))
    if value is None:
        return FactNode(NodeKind.NONE)
    return FactNode(NodeKind.VALUE, str(value))
