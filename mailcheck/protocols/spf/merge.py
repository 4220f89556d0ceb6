"""One record a postmaster could publish instead of several ``v=spf1`` records (RFC 7208 §4.5).

Several records are a permerror for every client. The merge keeps every mechanism once (ip4/ip6
first, then the rest in the order first seen), with one ``all`` at the end; it is a proposal
to review, not a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.errors import SpfSyntaxError
from mailcheck.protocols.spf.record import Record, parse_record

# The strictest ending wins when the records disagree: merging must not widen what passes.
_STRICTNESS = ("-", "~", "?", "+")
_IP = ("ip4", "ip6")


@dataclass(frozen=True)
class Merged:
    """The merged record text ("" when no single record can say the same) and caveats."""

    text: str
    notes: tuple[str, ...] = ()


def merge_records(texts: tuple[str, ...]) -> Merged:
    """Merge ``texts`` (each a ``v=spf1`` record) into one, or say why that is not possible."""
    try:
        records = [parse_record(t) for t in texts]
    except SpfSyntaxError as exc:
        return Merged("", (f"one of the records has a syntax error: {exc}",))
    terms: dict[str, str] = {}
    endings: list[str] = []
    for record in records:
        for m in record.mechanisms:
            if m.name == "all":
                endings.append(m.qualifier.value)
            else:
                terms.setdefault(m.text.lower(), m.text)
    notes: list[str] = []
    tail = _tail(records, endings, notes)
    if tail is None:
        return Merged("", tuple(notes))
    # ip4/ip6 first: they cost no DNS lookup, so no limit can cut them off
    ordered = sorted(terms.values(), key=lambda t: t.lstrip("+-~?").lower()[:3] not in _IP)
    return Merged(" ".join(("v=spf1", *ordered, *tail)), tuple(notes))


def _tail(records: list[Record], endings: list[str], notes: list[str]) -> list[str] | None:
    """The closing ``all`` or ``redirect=``, plus ``exp=``; None when they conflict."""
    tail: list[str] = []
    if endings:
        strictest = min(endings, key=_STRICTNESS.index)
        if len(set(endings)) > 1:
            notes.append(
                f"the records end differently; the merge keeps the strictest, {strictest}all"
            )
        tail.append(f"{'' if strictest == '+' else strictest}all")
        if any(r.redirect for r in records):
            notes.append("redirect= is dropped: a record with all ignores it (RFC 7208 §6.1)")
    else:
        redirects = {r.redirect.text.lower(): r.redirect.text for r in records if r.redirect}
        if len(redirects) > 1:
            notes.append("the records redirect to different domains: no single record can")
            return None
        tail += redirects.values()
    explanations = {r.exp.text.lower(): r.exp.text for r in records if r.exp}
    if len(explanations) > 1:
        notes.append("the records name different exp= texts; the merge keeps the first")
    tail += list(explanations.values())[:1]
    return tail
