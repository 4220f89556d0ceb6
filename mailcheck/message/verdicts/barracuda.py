"""Barracuda: X-Barracuda-Spam-Score, X-Barracuda-Spam-Status (``Yes|No, SCORE=x using
per-user scores of TAG_LEVEL= QUARANTINE_LEVEL= KILL_LEVEL= tests=...``), X-Barracuda-Spam-Flag.

Source: techlib.barracuda.com/BSF/SpamScoring; scores run 0 (not spam) to 10+ and the levels
are set by the admin per domain or user.
"""

from __future__ import annotations

import re

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import Disposition, Verdict, first_value, fmt, number
from mailcheck.rulefiles.providers import ProviderId

VENDOR = "Barracuda"
_LEVEL = re.compile(r"\b(SCORE|TAG_LEVEL|QUARANTINE_LEVEL|KILL_LEVEL)=([-+\d.]+)", re.I)
_TESTS = re.compile(r"\btests=(\S*)", re.I)


class BarracudaDecoder:
    """See ``Decoder``."""

    vendor = VENDOR
    product: str = ProviderId.BARRACUDA
    headers = (
        "x-barracuda-spam-score",
        "x-barracuda-spam-status",
        "x-barracuda-spam-flag",
        "x-barracuda-spam-report",
    )

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """See ``Decoder.decode``."""
        status = first_value(headers, "X-Barracuda-Spam-Status") or ""
        score_text = first_value(headers, "X-Barracuda-Spam-Score")
        flag = (first_value(headers, "X-Barracuda-Spam-Flag") or "").strip().upper()
        if not status and score_text is None and not flag:
            return ()
        levels = {k.upper(): number(v) for k, v in _LEVEL.findall(status)}
        score = number(score_text) if score_text is not None else levels.get("SCORE")
        tests_match = _TESTS.search(status)
        tests = tuple(t for t in (tests_match.group(1) if tests_match else "").split(",") if t)
        disposition = _disposition(status, flag, score, levels)
        summary = f"score {fmt(score)}"
        for name in ("TAG_LEVEL", "QUARANTINE_LEVEL", "KILL_LEVEL"):
            if levels.get(name) is not None:
                summary += f", {name.lower()} {fmt(levels[name])}"
        summary += f" → {disposition.value}"
        details = tuple((k.lower(), fmt(v)) for k, v in levels.items())
        return (
            Verdict(
                VENDOR,
                "X-Barracuda-Spam-Status",
                disposition,
                summary,
                ProviderId.BARRACUDA,
                score,
                levels.get("TAG_LEVEL"),
                details,
                tests[:200],
                status or score_text or flag,
            ),
        )


def _disposition(
    status: str, flag: str, score: float | None, levels: dict[str, float | None]
) -> Disposition:
    if flag == "YES" or status.strip().lower().startswith("yes"):
        return Disposition.SPAM
    if status.strip().lower().startswith("no"):
        return Disposition.NOT_SPAM
    tag = levels.get("TAG_LEVEL")
    if score is not None and tag is not None:
        return Disposition.SPAM if score >= tag else Disposition.NOT_SPAM
    return Disposition.UNKNOWN
