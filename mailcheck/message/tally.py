"""Running counts over many analysed messages: verdicts, which filter junked them, which fix.

Built one report at a time (``add``), so a summary over 50,000 messages holds counters, not
reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mailcheck.base.model import Report, facts_of
from mailcheck.message.facts import MessageFacts
from mailcheck.message.fixes import snippet_for
from mailcheck.message.verdicts import HARMFUL, Verdict

VERDICT_CODE = "MSG001"
NO_FILTER = "no filter verdict"
NO_FIX = "none needed"


@dataclass
class Tally:
    """Counts so far; ``skipped`` files that were not messages are counted by the reader."""

    messages: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    filters: Counter[str] = field(default_factory=Counter)
    fixes: Counter[str] = field(default_factory=Counter)

    def add(self, report: Report) -> None:
        """Count one message's report."""
        self.messages += 1
        verdict = next((f for f in report.findings if f.code == VERDICT_CODE), None)
        self.verdicts[verdict.status.value if verdict else "unknown"] += 1
        harmful = _harmful_verdict(report)
        if harmful is None:
            self.filters[NO_FILTER] += 1
            self.fixes[NO_FIX] += 1
            return
        disposition = harmful.disposition.value
        self.filters[f"{harmful.vendor} ({disposition})"] += 1
        self.fixes[_fix(harmful.filter, disposition)] += 1

    def merge(self, other: Tally) -> None:
        """Add counts made elsewhere (one message's, counted in the worker that analysed it)."""
        self.messages += other.messages
        self.verdicts.update(other.verdicts)
        self.filters.update(other.filters)
        self.fixes.update(other.fixes)

    def to_data(self, skipped: int = 0) -> dict[str, Any]:
        """The JSON form, most common first."""
        return {
            "messages": self.messages,
            "skipped_files": skipped,
            "verdicts": dict(self.verdicts.most_common()),
            "filters": dict(self.filters.most_common()),
            "fixes": dict(self.fixes.most_common()),
        }


def _fix(product: str, disposition: str) -> str:
    """The fix the verdict sentence names, in a word (see ``fixes.fix_phrase``)."""
    if disposition == "phish":
        return "report a false positive (an allowlist does not override phishing)"
    ref = snippet_for(product)
    return ref.command if ref is not None else "no mailcheck snippet: allow by hand"


def _harmful_verdict(report: Report) -> Verdict | None:
    """The first decoded verdict that junked the message inside the organisation."""
    facts = facts_of(report.checks, MessageFacts)
    verdicts = facts.verdicts if facts is not None else ()
    return next((v for v in verdicts if v.disposition in HARMFUL and not v.outside), None)
