"""Bounded nesting for untrusted parsed documents (JSON snapshots, TOML rules files).

A document nested thousands of levels deep makes recursive code (the JSON encoder, equality,
our own walkers) raise ``RecursionError``; checking the depth once, without recursion, right
after parsing keeps every later step safe.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 32  # real snapshots and rules files are 4-5 levels deep


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when lists/dicts in ``value`` nest deeper than ``limit``; iterative, never recursive."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False
