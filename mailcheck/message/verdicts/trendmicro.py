"""Trend Micro: X-TMASE-Result (``<TrendType>-<Spam Score>-<Spam Threshold>``) and the older
X-TM-AS-Result (``Yes|No-<score>-<threshold>-...``).

Source: Trend Vision One "Antispam Engine scan details" (servicecentral.powerappsportals.com).
"""

from __future__ import annotations

import re

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import Disposition, Verdict, first_value, fmt, number
from mailcheck.rulefiles.providers import ProviderId

VENDOR = "Trend Micro"
_TMASE = re.compile(r"^\s*(\d+)-(-?\d+(?:\.\d+)?)-(-?\d+(?:\.\d+)?)")
_TMAS = re.compile(r"^\s*(Yes|No)-(-?\d+(?:\.\d+)?)-(-?\d+(?:\.\d+)?)", re.I)


class TrendMicroDecoder:
    """See ``Decoder``."""

    vendor = VENDOR
    product: str = ProviderId.TREND_MICRO
    headers = ("x-tmase-result", "x-tm-as-result", "x-tmase-version")

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """See ``Decoder.decode``."""
        value = first_value(headers, "X-TMASE-Result")
        if value is not None:
            return (_tmase(value),)
        old = first_value(headers, "X-TM-AS-Result")
        return (_tmas(old),) if old is not None else ()


def _tmase(value: str) -> Verdict:
    found = _TMASE.match(value)
    if found is None:
        return Verdict(
            VENDOR,
            "X-TMASE-Result",
            Disposition.UNKNOWN,
            f"unreadable X-TMASE-Result {value[:80]!r}",
            ProviderId.TREND_MICRO,
            raw=value,
        )
    trend_type, score, threshold = found.group(1), number(found.group(2)), number(found.group(3))
    spam = score is not None and threshold is not None and score >= threshold
    disposition = Disposition.SPAM if spam else Disposition.NOT_SPAM
    summary = f"spam score {fmt(score)} {'≥' if spam else '<'} threshold {fmt(threshold)}"
    summary += f" → {disposition.value}"
    return Verdict(
        VENDOR,
        "X-TMASE-Result",
        disposition,
        summary,
        ProviderId.TREND_MICRO,
        score,
        threshold,
        (("TrendType", trend_type),),
        raw=value,
    )


def _tmas(value: str) -> Verdict:
    found = _TMAS.match(value)
    if found is None:
        return Verdict(
            VENDOR,
            "X-TM-AS-Result",
            Disposition.UNKNOWN,
            f"unreadable X-TM-AS-Result {value[:80]!r}",
            ProviderId.TREND_MICRO,
            raw=value,
        )
    spam = found.group(1).lower() == "yes"
    score, threshold = number(found.group(2)), number(found.group(3))
    disposition = Disposition.SPAM if spam else Disposition.NOT_SPAM
    summary = f"{found.group(1)}, score {fmt(score)} (threshold {fmt(threshold)})"
    return Verdict(
        VENDOR,
        "X-TM-AS-Result",
        disposition,
        summary + f" → {disposition.value}",
        ProviderId.TREND_MICRO,
        score,
        threshold,
        raw=value,
    )
