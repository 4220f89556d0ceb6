"""Terminal text: the verdict first, then findings worst first; colour only when asked."""

from __future__ import annotations

from mailcheck.model import Finding, Report, Status

_COLORS = {
    Status.PASS: "32",
    Status.INFO: "36",
    Status.WARN: "33",
    Status.FAIL: "31",
    Status.ERROR: "35",
}

VERDICTS = {
    Status.PASS: "No problem found",
    Status.INFO: "No problem found",
    Status.WARN: "Mail should arrive, but there are warnings to review",
    Status.ERROR: "Some checks could not complete: the answer is not known yet",
    Status.FAIL: "Problems found that would stop or endanger delivery",
}


class TextRenderer:
    """See ``Renderer``."""

    def __init__(self, *, color: bool = False) -> None:
        self.color = color

    def render(self, report: Report) -> str:
        """See ``Renderer.render``."""
        profile = f" for {report.profile.name} ({report.profile.id})" if report.profile else ""
        lines = [
            f"mailcheck {report.tool_version} — {report.domain}{profile}",
            f"Verdict: {VERDICTS[report.worst_status]}",
            "",
        ]
        lines += [self._finding(f) for f in report.findings]
        lines += [
            "",
            f"{len(report.findings)} findings, {report.dns_queries} DNS lookups, "
            f"data as of {report.generated_at}",
        ]
        return "\n".join(lines) + "\n"

    def _finding(self, finding: Finding) -> str:
        label = f"{finding.status.value.upper():<5}"
        if self.color:
            label = f"\x1b[{_COLORS[finding.status]}m{label}\x1b[0m"
        line = f"{label} {finding.code} {_printable(finding.summary)}"
        extra = [f"      {_printable(e)}" for e in finding.evidence]
        return "\n".join([line, *extra])


def _printable(text: str) -> str:
    """DNS data is untrusted: no escape sequences or control characters reach the terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
