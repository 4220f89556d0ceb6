"""``mailcheck audit``: existing allowlist files judged against a profile, and their
least-privilege replacement."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailcheck.app.output import write_text
from mailcheck.app.profiles import ProfileChoice, choose_profile
from mailcheck.app.resolver import DnsOptions, open_resolver
from mailcheck.audit import AuditFormat, audit
from mailcheck.audit.replacement import replacement
from mailcheck.base.model import Finding, Status
from mailcheck.facts.audit import AuditFacts


@dataclass(frozen=True)
class AuditRequest:
    """Which files, in which format (None: guessed), against which profile, over which DNS."""

    files: tuple[Path, ...]
    profile: ProfileChoice
    dns: DnsOptions
    kind: AuditFormat | None = None
    record: Path | None = None


@dataclass(frozen=True)
class AuditOutcome:
    """What the audit found: the files, profile and replacement text (``facts``), one finding
    per entry and unreadable line, and the worst of them."""

    facts: AuditFacts
    findings: tuple[Finding, ...]
    worst: Status


async def audit_allowlists(request: AuditRequest) -> AuditOutcome:
    """Read and judge the files; the services' SPF answers the verdicts rest on are the
    evidence written to ``record``."""
    profile = choose_profile(request.profile)
    resolver = open_resolver(request.dns)
    result = await audit(request.files, profile, resolver, request.kind)
    if request.record is not None:
        write_text(request.record, resolver.evidence().to_json())
    facts = result.facts(replacement(result, profile))
    return AuditOutcome(facts, result.every_finding, result.worst)
