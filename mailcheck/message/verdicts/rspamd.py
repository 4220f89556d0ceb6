"""Rspamd: X-Spamd-Result (``default: <True|False> [<score> / <reject threshold>]; SYMBOL(weight)
[options]; ...``) and X-Rspamd-Action.

Source: rspamd/rspamd src/plugins/lua/milter_headers.lua (routine x-spamd-result) and
rspamd.com doc/modules/milter_headers.md. ``True`` means the action was reject.
"""

from __future__ import annotations

import re

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import Disposition, Verdict, first_value, fmt, number

VENDOR = "Rspamd"
_HEAD = re.compile(r"^\s*\w+:\s*(True|False)\s*\[\s*([-+\d.]+)\s*/\s*([-+\d.]+)\s*\]", re.I)
_SYMBOL = re.compile(r"([A-Z0-9_]+)\(([-+\d.]+)\)")


class RspamdDecoder:
    """See ``Decoder``."""

    vendor = VENDOR
    product: str = "rspamd"
    headers = (
        "x-spamd-result",
        "x-spamd-bar",
        "x-rspamd-action",
        "x-rspamd-server",
        "x-rspamd-queue-id",
    )

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """See ``Decoder.decode``."""
        value = first_value(headers, "X-Spamd-Result")
        if value is None:
            return ()
        return (decode_result(value, first_value(headers, "X-Rspamd-Action")),)


def decode_result(value: str, action: str | None = None) -> Verdict:
    """One X-Spamd-Result value (plus X-Rspamd-Action when present)."""
    head = _HEAD.match(value)
    # a weight that is no number ("1.2.3", forgeable by any sender) is left out; the raw
    # value keeps it
    found = ((name, number(weight)) for name, weight in _SYMBOL.findall(value)[:500])
    symbols = tuple((name, weight) for name, weight in found if weight is not None)
    score = number(head.group(2)) if head else None
    threshold = number(head.group(3)) if head else None
    disposition = _disposition(head.group(1) if head else None, action)
    summary = f"{'reject' if head and head.group(1) == 'True' else 'not rejected'}, score "
    summary += f"{fmt(score)} / reject at {fmt(threshold)}"
    if action:
        summary += f", action {action.strip()}"
    summary += f" → {disposition.value}"
    heavy = sorted(symbols, key=lambda s: -abs(s[1]))[:10]
    # authentication symbols matter for the verdict sentence even when they weigh nothing
    auth = [s for s in symbols if s not in heavy and s[0].startswith(("R_SPF", "R_DKIM", "DMARC"))]
    details = tuple((name, f"{weight:+g}") for name, weight in heavy + auth)
    tests = tuple(f"{n}({w:g})" for n, w in symbols)
    return Verdict(
        VENDOR,
        "X-Spamd-Result",
        disposition,
        summary,
        "rspamd",
        score,
        threshold,
        details,
        tests,
        value,
    )


def _disposition(rejected: str | None, action: str | None) -> Disposition:
    action = (action or "").strip().lower()
    if rejected == "True" or action in ("reject", "add header", "rewrite subject"):
        return Disposition.SPAM
    if action in ("no action", "greylist") or rejected == "False":
        return Disposition.NOT_SPAM
    return Disposition.UNKNOWN
