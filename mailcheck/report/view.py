"""What the HTML report shows, decided in plain code: verdict, top findings, sections, snippets.

Templates only lay out what this module computes, so the decisions are tested without a
browser. Everything here reads the ``Report`` model; nothing computes findings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from mailcheck.base.codes import Owner, owner
from mailcheck.base.model import CheckResult, Finding, Report, Status, facts_of
from mailcheck.report.sender_summary import is_sender_report, sender_headline
from mailcheck.report.wording import plural, sentence
from mailcheck.snippets import provider_filter
from mailcheck.snippets.interface import SnippetOutput, SnippetsFacts

# Which part of the page a check's result belongs to. A check not listed lands in "other".
SECTION_OF: Mapping[str, str] = {
    "sender-spf": "sender",
    "sender-dmarc": "sender",
    "reverse-dns": "sender",
    "profile-networks": "sender",
    "shared-infrastructure": "sender",
    "dnsbl": "sender",
    "mx": "receiving",
    "mx-hygiene": "receiving",
    "provider": "receiving",
    "tls": "receiving",
    "probe": "receiving",
    "snippets": "snippets",
    "message": "message",
}
SECTIONS: tuple[tuple[str, str], ...] = (
    ("message", "Message analysis"),
    ("sender", "Sender side"),
    ("receiving", "Receiving side"),
    ("other", "Other checks"),
)
MESSAGE_VERDICT_CODE = "MSG001"  # mailcheck analyze's one-sentence answer for a message
# Shown even when empty on a domain report, so a reader sees what was not checked.
DOMAIN_SECTIONS = frozenset({"sender", "receiving"})
# Status shown as a word and a symbol too: colour is never the only signal.
ICONS: Mapping[Status, str] = {
    Status.PASS: "✓",
    Status.INFO: "i",
    Status.WARN: "!",
    Status.FAIL: "✗",
    Status.ERROR: "?",
}
TOP_FINDINGS = 5
SNAPSHOT_GAP = "not in the snapshot"  # DnsNotRecordedError's wording (dns/snapshot.py)
RISKS = ("low", "medium", "high")
_CHECK_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
__all__ = ["plural", "sentence"]  # re-exported: the renderers reach them through view
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


@dataclass(frozen=True)
class Verdict:
    """The answer line: will the sender's mail arrive, and the one thing to do next."""

    status: Status
    answer: str  # "Yes", "Probably", "No", "Unknown"
    headline: str
    action: str


@dataclass(frozen=True)
class SnippetView:
    """One allowlist snippet as the report shows it; ``sha256`` is computed here, not trusted.

    Read from the ``snippets`` check's typed facts (``SnippetsFacts``, one ``SnippetOutput``
    per filter).
    """

    key: str
    title: str
    filter: str
    filename: str
    risk: str
    risk_reason: str
    allows: tuple[str, ...]
    does_not_allow: tuple[str, ...]
    where: str
    prerequisites: tuple[str, ...]
    undo: tuple[str, ...]
    text: str
    sha256: str
    detected: bool
    then: tuple[str, ...] = ()  # steps after pasting, in order
    nothing_to_paste: str = ""  # set when the filter can allow nothing safely: why


def sender_name(report: Report) -> str:
    """Who sends, in words."""
    return report.profile.name if report.profile else "the sender"


def verdict(report: Report, snippets: Sequence[SnippetView] = ()) -> Verdict:
    """One line for the reader who reads nothing else."""
    worst, sender, domain = report.worst_status, sender_name(report), report.domain
    top = top_findings(report)
    answer = next((f for f in report.findings if f.code == MESSAGE_VERDICT_CODE), None)
    if answer is not None:  # a message page: the analysis already says it in one sentence
        return Verdict(worst, "In short", answer.summary, "The findings below show why.")
    first = sentence(top[0].summary) if top else ""
    if is_sender_report(report):
        return _sender_verdict(report, sender)
    if worst is Status.FAIL:
        whose = "You must" if top and owner(top[0]) is Owner.YOURS else f"{sender} must"
        return Verdict(
            worst,
            "No",
            f"Mail from {sender} is at risk of not reaching {domain}.",
            f"{whose} fix this first: {first}",
        )
    if worst is Status.ERROR:
        return Verdict(
            worst,
            "Unknown",
            "Some checks could not complete: the answer is not known yet.",
            f"Some answers for {domain} are not in the snapshot: record one for it with "
            f"--record FILE (live DNS), then replay that. First gap: {first}"
            if not_in_snapshot(report.findings)
            else f"Re-run when DNS answers again: {first}",
        )
    detected = next((s for s in snippets if s.detected), None)
    allow = f"Allow it with the {detected.title} snippet (step 1 below). " if detected else ""
    if worst is Status.WARN:
        return Verdict(
            worst,
            "Probably",
            f"Mail from {sender} should reach {domain}.",
            f"{allow}{_warning_split(report, sender)}",
        )
    return Verdict(
        worst,
        "Yes",
        f"Nothing found that would stop mail from {sender} reaching {domain}.",
        allow.strip() or "No change needed.",
    )


def _sender_verdict(report: Report, sender: str) -> Verdict:
    worst = report.worst_status
    answer = {Status.FAIL: "No", Status.ERROR: "Unknown", Status.WARN: "Probably"}
    problems = [f for f in report.findings if f.status.severity >= Status.WARN.severity]
    theirs = sum(1 for f in problems if owner(f) is Owner.SENDER)
    action = (
        f"{plural(theirs, 'problem')} for {sender} to fix (below); "
        if theirs
        else "Nothing for the sender to fix. "
    )
    return Verdict(
        worst,
        answer.get(worst, "Yes"),
        sender_headline(report, sender),
        f"{action}your own side is checked by: mailcheck report YOUR-DOMAIN",
    )


def _warning_split(report: Report, sender: str) -> str:
    """How many warnings are the reader's and how many the sender's, in words."""
    warnings = [f for f in report.findings if f.status is Status.WARN]
    theirs = sum(1 for f in warnings if owner(f) is Owner.SENDER)
    yours = sum(1 for f in warnings if owner(f) is Owner.YOURS)
    parts = [f"{plural(yours, 'warning')} for you"] if yours else []
    parts += [f"{plural(theirs, 'warning')} for {sender} to fix"] if theirs else []
    rest = len(warnings) - yours - theirs
    parts += [f"{plural(rest, 'other warning')}"] if rest else []
    return f"{'; '.join(parts)}; none stops delivery on its own."


def not_in_snapshot(findings: Sequence[Finding]) -> bool:
    """True when a lookup failed only because a replayed snapshot lacks the answer (the
    snapshot resolver's wording), not because DNS failed: re-running will not help."""
    return any(
        SNAPSHOT_GAP in text
        for f in findings
        if f.status is Status.ERROR
        for text in (f.summary, f.detail, *f.evidence)
    )


def top_findings(report: Report) -> tuple[Finding, ...]:
    """The findings that matter most: problems first; passes only when there is nothing else."""
    problems = [f for f in report.findings if f.status.severity >= Status.WARN.severity]
    return tuple((problems or list(report.findings))[:TOP_FINDINGS])


def sections(report: Report) -> tuple[tuple[str, str, tuple[CheckResult, ...]], ...]:
    """(key, heading, results) for every page section, in reading order."""
    grouped: dict[str, list[CheckResult]] = {key: [] for key, _ in SECTIONS}
    for result in report.checks:
        section = SECTION_OF.get(result.check, "other")
        if section in grouped:
            grouped[section].append(result)
    message = is_message_report(report)
    return tuple(
        (key, title, tuple(grouped[key]))
        for key, title in SECTIONS
        if grouped[key] or (key in DOMAIN_SECTIONS and not message)
    )


def is_message_report(report: Report) -> bool:
    """True for ``mailcheck analyze`` pages: about one message, not a domain and a sender."""
    return any(result.check == "message" for result in report.checks)


def partial_names(result: CheckResult) -> list[str]:
    """Templates to try for one check: its own partial if it has one, else the generic view."""
    own = [f"check_{result.check}.html"] if _CHECK_NAME.match(result.check) else []
    return [*own, "check_generic.html"]


def worst(findings: Sequence[Finding]) -> Status | None:
    """The worst status among findings, ``None`` when there are none."""
    return max((f.status for f in findings), key=lambda s: s.severity, default=None)


def snippets(report: Report) -> tuple[SnippetView, ...]:
    """Snippets the ``snippets`` check produced, the detected provider's first."""
    facts = facts_of(report.checks, SnippetsFacts)
    items = facts.snippets if facts is not None else ()
    provider = (facts.provider or "") if facts is not None else ""
    views = [_snippet(i, item, provider) for i, item in enumerate(items)]
    seen: set[str] = set()
    for index, snippet in enumerate(views):
        if snippet.filename in seen:  # two snippets must never overwrite one file
            views[index] = replace(snippet, filename=f"{snippet.key}-{snippet.filename}")
        seen.add(views[index].filename)
    return tuple(sorted(views, key=lambda v: not v.detected))


def _snippet(index: int, item: SnippetOutput, provider: str) -> SnippetView:
    # A profile names the files: only a plain name may become a path under snippets/.
    filename = item.filename if _FILENAME.match(item.filename) else f"snippet-{index + 1}.txt"
    risk = item.risk.value.lower()
    return SnippetView(
        key=f"snippet-{index + 1}",
        title=item.product or item.filter or f"Snippet {index + 1}",
        filter=item.filter,
        filename=filename,
        risk=risk if risk in RISKS else "unknown",
        risk_reason=item.risk_reason,
        allows=item.allows,
        does_not_allow=item.does_not_allow,
        where=item.where,
        prerequisites=item.prerequisites,
        undo=item.undo,
        text=item.text,
        sha256=hashlib.sha256(item.text.encode("utf-8")).hexdigest(),
        # The provider check names products ("microsoft-365"); snippets name filters.
        detected=bool(item.filter and item.filter == provider_filter(provider)),
        then=item.then,
        nothing_to_paste=item.nothing_to_paste,
    )
