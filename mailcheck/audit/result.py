"""What an audit found: one finding per entry, and the lines no reader could use."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.audit.interface import Unreadable
from mailcheck.base.model import CheckResult, Finding, Status, worst_status
from mailcheck.facts.audit import AuditedFile, AuditFacts

NAME = "audit"
TITLE = "Audit of the existing allowlist"


@dataclass(frozen=True)
class AuditResult:
    """Every entry judged, and the lines no reader could use."""

    profile: str
    files: tuple[tuple[str, str], ...]  # (file, format)
    findings: tuple[Finding, ...]
    unreadable: tuple[Unreadable, ...]

    @property
    def every_finding(self) -> tuple[Finding, ...]:
        """One finding per entry, then one per line no reader could use (AUD007)."""
        return self.findings + tuple(
            Finding("AUD007", Status.WARN, f"{u.source}:{u.line}: not understood", u.reason, u.text)
            for u in self.unreadable
        )

    def facts(self, replacement: str = "") -> AuditFacts:
        """The files read, in which format, against which profile, and the replacement."""
        files = tuple(AuditedFile(f, k) for f, k in self.files)
        return AuditFacts(self.profile, files, replacement)

    def to_check(self, replacement: str = "") -> CheckResult:
        """The report's audit section: one finding per entry, the replacement as a fact."""
        return CheckResult(NAME, TITLE, self.every_finding, self.facts(replacement))

    @property
    def worst(self) -> Status:
        """The worst status over every entry and unreadable line (PASS when empty)."""
        return worst_status(self.every_finding)
