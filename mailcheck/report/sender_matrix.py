"""Terminal text for the sender SPF matrix: each sender domain × listed IP with the deciding
chain of terms, then who operates each IP. Reads only the report's facts."""

from __future__ import annotations

from mailcheck.base.model import Report, facts_of
from mailcheck.facts.sender_spf import SenderSpfFacts
from mailcheck.facts.shared_infra import SharedInfraFacts


def render_matrix(report: Report) -> str:
    """The matrix block printed before the findings by ``mailcheck sender``."""
    spf, shared = facts_of(report.checks, SenderSpfFacts), facts_of(report.checks, SharedInfraFacts)
    lines: list[str] = []
    if spf is not None:
        lines += _spf_lines(spf)
    if shared is not None:
        lines += _owner_lines(shared)
    return "\n".join(lines) + "\n\n" if lines else ""


def _spf_lines(facts: SenderSpfFacts) -> list[str]:
    lines = [f"SPF matrix for profile {_clean(facts.profile)}", ""]
    for domain in facts.domains:
        role = domain.environment or domain.role
        record = domain.record or f"(no usable record: {domain.error})"
        lines.append(f"{_clean(domain.domain)}  [{role} {domain.role}]")
        lines.append(f"  record: {_clean(record)}")
        for verdict in domain.verdicts:
            why = verdict.matched or verdict.reason or "no term matched"
            lines.append(f"  {verdict.ip:<16} {verdict.result:<10} {_clean(why)}")
        lines.append("")
    return lines


def _owner_lines(facts: SharedInfraFacts) -> list[str]:
    lines = ["Who operates each listed network (from the services' live SPF)", ""]
    for owner in facts.owners:
        who = " and ".join(owner.services) or (
            "undecided: " + ", ".join(owner.undecided) if owner.undecided else "no known service"
        )
        flag = "" if owner.documented else "  (undocumented)"
        network = owner.network.removesuffix("/32").removesuffix("/128")
        lines.append(f"  {network:<20} {_clean(who)}{flag}")
    return lines


def _clean(text: str) -> str:
    """DNS data is untrusted: no escape sequences or control characters reach the terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))
