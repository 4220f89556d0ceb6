"""The decision ``mailcheck sender`` states first: what the sender's published setup gets right
and wrong, per sender domain, in one sentence ("account.example: 3 of 6 IPs fail SPF …").

Read from the sender matrix (``report.matrix``, from the typed ``SenderSpfFacts``) and the
findings; nothing here decides anything the checks did not.
"""

from __future__ import annotations

from mailcheck.base.model import Report, facts_of
from mailcheck.facts.sender_spf import SenderSpfFacts
from mailcheck.report.matrix import Row, sender_matrix
from mailcheck.report.wording import plural

SENDER_SPF = "sender-spf"
LISTED_CODE = "BL002"  # the IP is on a blocklist
NO_DMARC_CODE = "DMC002"  # no DMARC policy applies to a sender domain


def is_sender_report(report: Report) -> bool:
    """True for ``mailcheck sender``: the sender side only, no receiving domain."""
    names = {result.check for result in report.checks}
    return SENDER_SPF in names and not names & {"mx", "provider", "message"}


def sender_headline(report: Report, sender: str) -> str:
    """``"<sender>'s published setup: <per domain SPF>; <blocklists>; <DMARC>."``"""
    parts = _spf_parts(report)
    listed = sorted({f.subject for f in report.findings if f.code == LISTED_CODE})
    if listed:
        verb = "is" if len(listed) == 1 else "are"
        parts.append(f"{plural(len(listed), 'IP')} {verb} on a blocklist ({', '.join(listed)})")
    no_dmarc = [f for f in report.findings if f.code == NO_DMARC_CODE]
    if no_dmarc:
        parts.append(f"{plural(len(no_dmarc), 'sender domain')} without a DMARC policy")
    found = "; ".join(parts) or "nothing checked"
    return f"{sender}'s published setup: {found}."


def _spf_parts(report: Report) -> list[str]:
    matrix = sender_matrix(facts_of(report.checks, SenderSpfFacts))
    if matrix is None:
        return []
    return [_row_part(row, len(matrix.ips)) for row in matrix.rows]


def _row_part(row: Row, total: int) -> str:
    cells = [cell for cell in row.cells if cell is not None]
    if not row.record:
        if not row.error or row.error.startswith("no SPF record"):
            return f"{row.domain} publishes no SPF record"
        return f"{row.domain}: SPF could not be evaluated ({row.error})"
    failing = [cell for cell in cells if cell.result != "pass"]
    if not failing:
        every = "its listed IP" if total == 1 else f"all {total} listed IPs"
        return f"{row.domain} passes SPF for {every}"
    results = ", ".join(sorted({cell.result for cell in failing}))
    verb = "fails" if len(failing) == 1 else "fail"
    return f"{row.domain}: {len(failing)} of {plural(total, 'IP')} {verb} SPF ({results})"
