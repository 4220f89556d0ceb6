"""The path picture: sender IPs → SPF/DKIM/DMARC → MX → filter → mailbox, one status per hop.

Layout is computed here (boxes and arrows in SVG user units) so the template only draws.
Labels come partly from DNS (MX host names, provider names): the template escapes them and
they are shortened here so hostile lengths cannot break the drawing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from mailcheck.base.codes import CODES
from mailcheck.base.model import CheckResult, Finding, Report, Status, facts_of
from mailcheck.facts.mx import MxFacts
from mailcheck.facts.provider import ProviderFacts
from mailcheck.report.actions import by_urgency
from mailcheck.report.view import sender_name, worst

# (key, label, checks whose findings colour the hop)
HOPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("senders", "Sender IPs", ("sender-spf", "shared-infrastructure", "reverse-dns", "dnsbl")),
    ("auth", "Authentication", ("sender-spf", "sender-dmarc")),
    ("mx", "MX", ("mx", "mx-hygiene")),
    ("filter", "Filter", ("provider", "tls")),
    ("mailbox", "Mailbox", ("probe",)),
)
BOX_W, BOX_H, GAP = 176, 112, 36
TALL_W, TALL_H, TALL_GAP = 300, 84, 26
MAX_WIDE, MAX_TALL = 21, 38  # characters of 12px monospace that fit in a box
MAX_PROBLEM_WIDE, MAX_PROBLEM_TALL = 25, 44  # characters of the 12px problem line


@dataclass(frozen=True)
class Hop:
    """One box of the picture."""

    key: str
    label: str
    detail: str  # shortened to fit a wide box
    detail_tall: str  # shortened to fit a tall-layout box
    status: Status | None  # None: no check looked at this hop
    x: int
    y: int
    full: str = ""  # the detail uncut, for the box's tooltip
    problem: str = ""  # what is wrong here, in one short line ("" when nothing is)

    def line(self, limit: int) -> str:
        """The problem line cut to ``limit`` characters (the tooltip has all of it)."""
        return shorten(self.problem, limit)


@dataclass(frozen=True)
class Flow:
    """Both layouts: wide (side by side) and tall (stacked, for phones)."""

    wide: tuple[Hop, ...]
    tall: tuple[Hop, ...]
    wide_size: tuple[int, int]
    tall_size: tuple[int, int]


def flow(report: Report) -> Flow:
    """Lay out the path for this report."""
    by_name = {r.check: r for r in report.checks}
    hops = [_hop(key, label, checks, report, by_name) for key, label, checks in HOPS]
    wide = tuple(_place(h, i * (BOX_W + GAP) + 2, 2) for i, h in enumerate(hops))
    tall = tuple(_place(h, 2, i * (TALL_H + TALL_GAP) + 2) for i, h in enumerate(hops))
    count = len(hops)
    return Flow(
        wide,
        tall,
        (count * BOX_W + (count - 1) * GAP + 4, BOX_H + 4),
        (TALL_W + 4, count * TALL_H + (count - 1) * TALL_GAP + 4),
    )


def _place(hop: Hop, x: int, y: int) -> Hop:
    return replace(hop, x=x, y=y)


def _hop(
    key: str,
    label: str,
    checks: Sequence[str],
    report: Report,
    by_name: Mapping[str, CheckResult],
) -> Hop:
    results = [by_name[name] for name in checks if name in by_name]
    findings = [f for r in results for f in r.findings]
    status = worst(findings) if results else None
    if results and status is None:
        status = Status.PASS  # the check ran and raised nothing
    detail = _detail(key, report, by_name)
    return Hop(
        key,
        label,
        shorten(detail, MAX_WIDE),
        shorten(detail, MAX_TALL),
        status,
        0,
        0,
        full=detail,
        problem=problem_line(findings),
    )


def problem_line(findings: Sequence[Finding]) -> str:
    """The most urgent warning or failure as its code's title, plus how many more."""
    problems = by_urgency([f for f in findings if f.status.severity >= Status.WARN.severity])
    if not problems:
        return ""
    first = problems[0]
    info = CODES.get(first.code)
    title = info.title if info else first.summary
    more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
    return f"{title}{more}"


def _detail(key: str, report: Report, by_name: Mapping[str, CheckResult]) -> str:
    match key:
        case "senders":
            return sender_name(report)
        case "auth":
            return "SPF · DKIM · DMARC"
        case "mx":
            return _first_mx(facts_of(report.checks, MxFacts))
        case "filter":
            provider = facts_of(report.checks, ProviderFacts)
            return (provider.provider_name or provider.provider) if provider else ""
        case "mailbox":
            return report.domain
    return ""


def _first_mx(facts: MxFacts | None) -> str:
    if facts is None:
        return ""
    if facts.hosts:
        more = f" +{len(facts.hosts) - 1}" if len(facts.hosts) > 1 else ""
        return f"{facts.hosts[0].exchange}{more}"
    return f"({facts.state})"


def shorten(text: str, limit: int) -> str:
    """Keep a label inside its box; the full text is in the tables below."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
