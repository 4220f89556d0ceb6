"""SpamAssassin: X-Spam-Status (``Yes|No, score= required= tests= autolearn= version=``; 2.x
wrote ``hits=``), X-Spam-Flag and X-Spam-Level.

Source: apache/spamassassin lib/Mail/SpamAssassin/Conf.pm (add_header defaults and the
_YESNO_ _SCORE_ _REQD_ _TESTS_ template tags).
"""

from __future__ import annotations

import re

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import Disposition, Verdict, first_value, fmt, number

VENDOR = "SpamAssassin"
_STATUS = re.compile(r"^\s*(Yes|No)\b", re.IGNORECASE)
_FIELD = re.compile(r"\b(score|hits|required|autolearn|version)=(\S+)", re.IGNORECASE)
_TESTS = re.compile(r"\btests=(.*?)(?=\s+(?:autolearn|version|shortcircuit)=|$)", re.DOTALL)


class SpamAssassinDecoder:
    """See ``Decoder``."""

    vendor = VENDOR
    product: str = "spamassassin"
    headers = (
        "x-spam-status",
        "x-spam-flag",
        "x-spam-level",
        "x-spam-checker-version",
        "x-spam-report",
        "x-spam-prev-content-type",
        "x-spam-prev-content-transfer-encoding",
    )

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """See ``Decoder.decode``."""
        status = first_value(headers, "X-Spam-Status")
        if status is None:
            flag = first_value(headers, "X-Spam-Flag")
            if flag is None:
                return ()
            spam = flag.strip().upper() == "YES"
            disposition = Disposition.SPAM if spam else Disposition.NOT_SPAM
            return (
                Verdict(
                    VENDOR,
                    "X-Spam-Flag",
                    disposition,
                    f"X-Spam-Flag: {flag}",
                    "spamassassin",
                    raw=flag,
                ),
            )
        return (decode_status(status, _vendor(headers)),)


def _vendor(headers: HeaderSection) -> str:
    if headers.first("X-Spamd-Result") is not None or headers.first("X-Rspamd-Server"):
        return "Rspamd"  # rspamd writes a SpamAssassin-style X-Spam-Status too
    return VENDOR


def decode_status(value: str, vendor: str = VENDOR) -> Verdict:
    """One X-Spam-Status value."""
    yes_no = _STATUS.match(value)
    fields = {k.lower(): v.rstrip(",;") for k, v in _FIELD.findall(value)}
    score = number(fields.get("score", fields.get("hits")))
    threshold = number(fields.get("required"))
    tests_match = _TESTS.search(value)
    tests = tuple(
        t.strip() for t in re.split(r"[,\s]+", tests_match.group(1) if tests_match else "")
    )
    tests = tuple(t for t in tests if t and t.lower() != "none")[:200]
    if yes_no is None:
        disposition = Disposition.UNKNOWN
    else:
        spam = yes_no.group(1).lower() == "yes"
        disposition = Disposition.SPAM if spam else Disposition.NOT_SPAM
    summary = f"{yes_no.group(1) if yes_no else '?'}, score {fmt(score)}"
    if threshold is not None:
        summary += f" (required {fmt(threshold)})"
    summary += f" → {disposition.value}"
    details = tuple((k, v) for k, v in fields.items() if k in ("autolearn", "version"))
    filter_name = "rspamd" if vendor == "Rspamd" else "spamassassin"
    return Verdict(
        vendor,
        "X-Spam-Status",
        disposition,
        summary,
        filter_name,
        score,
        threshold,
        details,
        tests,
        value,
    )
