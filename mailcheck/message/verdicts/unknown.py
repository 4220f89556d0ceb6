"""Every other ``X-*Spam*`` header: shown raw, never guessed at and never dropped."""

from __future__ import annotations

from collections.abc import Iterable

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import MAX_VALUE, Disposition, Verdict

MAX_UNKNOWN = 20


def unknown_spam_headers(headers: HeaderSection, consumed: Iterable[str]) -> tuple[Verdict, ...]:
    """A raw entry for each X-*spam* field no decoder consumed."""
    taken = set(consumed)
    out: list[Verdict] = []
    for field in headers.fields:
        key = field.key
        if key.startswith("x-") and "spam" in key and key not in taken:
            summary = f"undecoded: {field.value[:200]}"
            out.append(
                Verdict(
                    "unknown", field.name, Disposition.UNKNOWN, summary, raw=field.value[:MAX_VALUE]
                )
            )
            if len(out) >= MAX_UNKNOWN:
                break
    return tuple(out)
