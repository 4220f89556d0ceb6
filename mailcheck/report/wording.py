"""Small wording helpers every renderer and the CLI share: counts with the right plural."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``1 file``, ``2 files``, ``3 entries``: the count with the noun in the right number."""
    if count == 1:
        return f"1 {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it already ends a sentence)."""
    return text if text.endswith((".", "!", "?", ":")) else f"{text}."
