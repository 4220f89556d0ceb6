"""What an audit found: one finding per entry, and the lines no reader could use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mailcheck.audit.interface import Unreadable
from mailcheck.base.model import CheckResult, Finding, Status

NAME = "audit"
TITLE = "Audit of the existing allowlist"


@dataclass(frozen=True)
class AuditResult:
    """Every entry judged, and the lines no reader could use."""

    profile: str
    files: tuple[tuple[str, str], ...]  # (file, format)
    findings: tuple[Finding, ...]
    unreadable: tuple[Unreadable, ...]

    def to_check(self, replacement: str = "") -> CheckResult:
        """The report's audit section: one finding per entry, the replacement as a fact."""
        skipped = tuple(
            Finding("AUD007", Status.WARN, f"{u.source}:{u.line}: not understood", u.reason, u.text)
            for u in self.unreadable
        )
        facts: dict[str, Any] = {
            "profile": self.profile,
            "files": [{"file": f, "format": k} for f, k in self.files],
            "replacement": replacement,
        }
        return CheckResult(NAME, TITLE, self.findings + skipped, facts)

    @property
    def worst(self) -> Status:
        """The worst status over every entry and unreadable line (PASS when empty)."""
        statuses = [f.status for f in self.to_check().findings]
        return max(statuses, key=lambda s: s.severity, default=Status.PASS)
