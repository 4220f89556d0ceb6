"""What the reader must do, by owner: "What you should do", "What the sender should fix", the rest.

Every renderer leads with this plan, so the terminal, the HTML verdict and ``report.json`` agree
on the order. Ownership comes from ``mailcheck.base.codes.owner``; this module only orders and
words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailcheck.base.codes import Owner, code_prefix, owner
from mailcheck.base.model import Finding, Report, Status
from mailcheck.report.view import SnippetView, is_message_report, not_in_snapshot, sentence

# The sender's problems, the ones that stop delivery soonest first: a blocklisted IP is
# refused by every filter using that list, whatever the allowlist says.
SENDER_ORDER = ("BL", "SPF", "DMC", "PTR", "SHR")


@dataclass(frozen=True)
class Step:
    """One numbered instruction for the receiving organisation."""

    text: str
    code: str = ""  # the finding it answers; "" for the snippet's own steps
    snippet: str = ""  # "snippets/<file>" when the step is pasting that file
    finding: Finding | None = None  # the finding itself, for its status and evidence


@dataclass(frozen=True)
class Plan:
    """The report's findings in the order a mail admin acts on them."""

    yours: tuple[Step, ...]
    sender: tuple[Finding, ...]
    rest: tuple[Finding, ...]  # information: passes, notes
    snippet: SnippetView | None  # the detected filter's snippet, shown with its step


def plan(report: Report, snippets: Sequence[SnippetView]) -> Plan:
    """Split and order the report's findings by whose they are to act on."""
    yours = [f for f in report.findings if owner(f) is Owner.YOURS]
    sender = [f for f in report.findings if owner(f) is Owner.SENDER]
    rest = tuple(f for f in report.findings if owner(f) is Owner.INFORMATION)
    detected = next((s for s in snippets if s.detected), None)
    steps = [_fix_step(f) for f in yours if f.status is not Status.WARN]
    if not is_message_report(report):
        steps += _snippet_steps(detected, snippets)
    steps += [_fix_step(f) for f in yours if f.status is Status.WARN]
    return Plan(tuple(steps), by_urgency(sender), rest, detected)


def _fix_step(finding: Finding) -> Step:
    if finding.status is Status.ERROR and not_in_snapshot((finding,)):
        text = f"Not checked, the snapshot lacks the answer: {sentence(finding.summary)}"
    elif finding.status is Status.ERROR:
        text = f"Could not check, so re-run: {sentence(finding.summary)}"
    else:
        text = f"Fix: {sentence(finding.summary)}"
    return Step(text, finding.code, finding=finding)


def _snippet_steps(detected: SnippetView | None, snippets: Sequence[SnippetView]) -> list[Step]:
    if detected is None:
        if not snippets:
            return []
        return [
            Step(
                "Your mail filter was not recognised from the MX: pick its file in snippets/ "
                "and paste it where the file's header says (report.html shows each one)."
            )
        ]
    path = f"snippets/{detected.filename}"
    where = f" in {detected.where}" if detected.where else ""
    return [Step(f"Paste {path}{where}.", snippet=path), *(Step(t) for t in detected.then)]


def by_urgency(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Worst first; among equals, the sender problems that stop delivery soonest first."""

    def rank(finding: Finding) -> tuple[int, int]:
        prefix = code_prefix(finding.code)
        order = SENDER_ORDER.index(prefix) if prefix in SENDER_ORDER else len(SENDER_ORDER)
        return (-finding.status.severity, order)

    return tuple(sorted(findings, key=rank))
