"""Terminal text: the verdict first, then findings worst first; colour only when asked.

The CLI asks for colour only on a TTY without ``NO_COLOR`` (https://no-color.org/). DNS data is
untrusted here too: control characters are shown escaped, never sent to the terminal.
"""

from __future__ import annotations

from mailcheck.model import Finding, Report, Status
from mailcheck.report import view

_COLORS = {
    Status.PASS: "32",
    Status.INFO: "36",
    Status.WARN: "33",
    Status.FAIL: "31",
    Status.ERROR: "35",
}
SUMMARY_FINDINGS = 5


class TextRenderer:
    """See ``Renderer``."""

    def __init__(self, *, color: bool = False) -> None:
        self.color = color

    def render(self, report: Report) -> str:
        """See ``Renderer.render``: every finding with its evidence."""
        return self._document(report, report.findings, evidence=True)

    def summary(self, report: Report) -> str:
        """The short form printed after writing a report folder: verdict and top findings."""
        return self._document(report, view.top_findings(report)[:SUMMARY_FINDINGS], evidence=False)

    def _document(self, report: Report, findings: tuple[Finding, ...], *, evidence: bool) -> str:
        verdict = view.verdict(report, view.snippets(report))
        profile = f" for {report.profile.name} ({report.profile.id})" if report.profile else ""
        answer = self._paint(verdict.status, f"{verdict.answer}.", bold=True)
        lines = [
            f"mailcheck {report.tool_version} — {report.domain}{profile}",
            f"{answer} {_printable(verdict.headline)}",
            f"  {_printable(verdict.action)}",
            "",
        ]
        lines += [self._finding(f, evidence) for f in findings]
        shown = "" if len(findings) == len(report.findings) else f" ({len(findings)} shown)"
        lines += [
            "",
            f"{len(report.findings)} findings{shown}, {report.dns_queries} DNS lookups, "
            f"data as of {report.generated_at}",
        ]
        return "\n".join(lines) + "\n"

    def _finding(self, finding: Finding, evidence: bool) -> str:
        icon = view.ICONS[finding.status]
        label = self._paint(finding.status, f"{icon} {finding.status.value.upper():<5}")
        line = f"{label} {finding.code} {_printable(finding.summary)}"
        extra = [f"        {_printable(e)}" for e in finding.evidence] if evidence else []
        return "\n".join([line, *extra])

    def _paint(self, status: Status, text: str, *, bold: bool = False) -> str:
        if not self.color:
            return text
        weight = "1;" if bold else ""
        return f"\x1b[{weight}{_COLORS[status]}m{text}\x1b[0m"


def _printable(text: str) -> str:
    """DNS data is untrusted: no escape sequences or control characters reach the terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
