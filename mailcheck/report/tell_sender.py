"""The "tell the sender" section: what the sender's postmaster should change, standing alone.

Read from the sender checks' typed facts (``sender_fixes``) and blocklist findings. A mail admin
forwards it to the vendor, so it names only the sender's domains, the RFC clause, the exact
record to publish (as a zone-file line) and what changes for receivers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from mailcheck.base.model import Report
from mailcheck.facts.sender_dmarc import SenderDmarcFacts
from mailcheck.facts.sender_fixes import SenderFix
from mailcheck.facts.sender_spf import SenderSpfFacts
from mailcheck.report.sender_matrix import _clean


@dataclass(frozen=True)
class TellSender:
    """The section: whom it is for and the fixes (empty when nothing is to change)."""

    sender: str
    domains: tuple[str, ...]
    fixes: tuple[SenderFix, ...]


def tell_the_sender(report: Report) -> TellSender | None:
    """The section for ``report``, or None when the report has no sender profile."""
    if report.profile is None:
        return None
    fixes: list[SenderFix] = []
    for result in report.checks:
        if isinstance(result.facts, SenderSpfFacts | SenderDmarcFacts):
            fixes += result.facts.sender_fixes
    fixes += _blocklist_fixes(report)
    domains = tuple(dict.fromkeys(f.domain for f in fixes if f.domain))
    return TellSender(report.profile.name, domains, tuple(fixes))


def _blocklist_fixes(report: Report) -> list[SenderFix]:
    """A listed sender IP is the sender's to get delisted (no DNS change of theirs)."""
    return [
        SenderFix(
            "BL002",
            "",
            f.summary + ".",
            "RFC 5782 §2",
            _DELIST_SHARED if "(shared " in f.summary else _DELIST,
            effect="Receivers that use the list stop refusing or junking mail from the address.",
        )
        for f in report.findings
        if f.code == "BL002"
    ]


_DELIST = (
    "Ask the list's operator to delist the address (the list's TXT answer usually names the "
    "page), after stopping whatever got it listed."
)
_DELIST_SHARED = (
    "The address is shared sending infrastructure: raise the listing with the sending service "
    "that operates it, or send from addresses that are not shared."
)


def to_data(section: TellSender | None) -> dict[str, object] | None:
    """The section as JSON data: each fix with its zone-file line."""
    if section is None:
        return None
    fixes = [{**dataclasses.asdict(f), "zone_line": f.zone_line} for f in section.fixes]
    return {"sender": section.sender, "domains": list(section.domains), "fixes": fixes}


def to_text(section: TellSender | None) -> str:
    """The section as plain text, for ``mailcheck sender``."""
    if section is None:
        return ""
    lines = ["", f"Tell the sender: for the postmaster of {section.sender}", ""]
    if not section.fixes:
        lines.append("  Nothing in the sender's DNS needs to change.")
    for number, fix in enumerate(section.fixes, 1):
        lines.append(f"{number}. [{fix.code}, {fix.clause}] {fix.problem}")
        lines.append(f"   {fix.action}")
        if fix.zone_line:
            lines.append(f"     {fix.zone_line}")
        if fix.effect:
            lines.append(f"   For receivers: {fix.effect}")
        lines.append("")
    return "\n".join(_clean(line) for line in lines) + "\n"
