"""The summary table after many analysed messages (``analyze FOLDER``), from running counts."""

from __future__ import annotations

from collections import Counter
from typing import Protocol


class Tally(Protocol):
    """The running counts ``message.tally.Tally`` keeps (report/ reads, never imports, them)."""

    messages: int
    verdicts: Counter[str]
    filters: Counter[str]
    fixes: Counter[str]


def render_table(tally: Tally, skipped: int = 0) -> str:
    """The plain-text summary table printed after the messages."""
    lines = [f"Summary of {tally.messages} messages"]
    if skipped:
        lines[0] += f" ({skipped} files skipped: not messages)"
    for title, counts in (
        ("Verdict", tally.verdicts),
        ("Filter that junked it", tally.filters),
        ("Fix", tally.fixes),
    ):
        lines.append("")
        lines.append(f"  {title}")
        width = max((len(k) for k in counts), default=0)
        lines += [f"    {key:<{width}}  {n:>7}" for key, n in counts.most_common()]
    return "\n".join(lines) + "\n"
