"""Terminal text for the sender SPF matrix: each sender domain × listed IP with the deciding
chain of terms, then who operates each IP. Reads only the report's facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mailcheck.model import Report

SENDER_SPF = "sender-spf"
SHARED_INFRA = "shared-infrastructure"


def render_matrix(report: Report) -> str:
    """The matrix block printed before the findings by ``mailcheck sender``."""
    facts = {r.check: r.facts for r in report.checks if isinstance(r.facts, Mapping)}
    lines: list[str] = []
    if facts.get(SENDER_SPF):
        lines += _spf_lines(facts[SENDER_SPF])
    if facts.get(SHARED_INFRA):
        lines += _owner_lines(facts[SHARED_INFRA])
    return "\n".join(lines) + "\n\n" if lines else ""


def _spf_lines(facts: Mapping[str, Any]) -> list[str]:
    lines = [f"SPF matrix for profile {_clean(facts['profile'])}", ""]
    for domain in facts["domains"]:
        role = domain["environment"] or domain["role"]
        record = domain["record"] or f"(no usable record: {domain['error']})"
        lines.append(f"{_clean(domain['domain'])}  [{role} {domain['role']}]")
        lines.append(f"  record: {_clean(record)}")
        for verdict in domain["verdicts"]:
            why = verdict["matched"] or verdict["reason"] or "no term matched"
            lines.append(f"  {verdict['ip']:<16} {verdict['result']:<10} {_clean(why)}")
        lines.append("")
    return lines


def _owner_lines(facts: Mapping[str, Any]) -> list[str]:
    lines = ["Who operates each listed network (from the services' live SPF)", ""]
    for owner in facts["owners"]:
        who = " and ".join(owner["services"]) or (
            "undecided: " + ", ".join(owner["undecided"])
            if owner["undecided"]
            else "no known service"
        )
        flag = "" if owner["documented"] else "  (undocumented)"
        network = owner["network"].removesuffix("/32").removesuffix("/128")
        lines.append(f"  {network:<20} {_clean(who)}{flag}")
    return lines


def _clean(text: str) -> str:
    """DNS data is untrusted: no escape sequences or control characters reach the terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))
