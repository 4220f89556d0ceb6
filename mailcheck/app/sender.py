"""``mailcheck sender``: the sender side alone, against its profile."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailcheck.app.build import build_report
from mailcheck.app.output import write_text
from mailcheck.app.profiles import ProfileChoice, choose_profile
from mailcheck.app.resolver import DnsOptions, open_resolver
from mailcheck.base.errors import ProfileError
from mailcheck.base.model import Report
from mailcheck.checks import SENDER_CHECKS
from mailcheck.dns.snapshot import EvidenceResolver
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.rulefiles.sources import DEFAULT_MAX_AGE_DAYS


@dataclass(frozen=True)
class SenderRequest:
    """Whose sender side to check, over which DNS, and where to record the evidence."""

    profile: ProfileChoice
    dns: DnsOptions
    command: tuple[str, ...] = ()
    max_source_age_days: int = DEFAULT_MAX_AGE_DAYS
    record: Path | None = None


async def run_sender(request: SenderRequest) -> Report:
    """Check the profile's sender side (the evidence written to ``record`` when asked)."""
    profile = choose_profile(request.profile)
    resolver = open_resolver(request.dns)
    report = await build_sender_report(
        resolver, profile, request.command, request.max_source_age_days
    )
    if request.record is not None:
        write_text(request.record, resolver.evidence().to_json())
    return report


async def build_sender_report(
    resolver: EvidenceResolver,
    profile: SenderProfile,
    command: tuple[str, ...] = (),
    max_source_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Report:
    """The sender side alone (``mailcheck sender``): SPF matrix, shared infrastructure,
    DMARC, reverse DNS and blocklists; no snippets.

    The report's domain is the domain of the profile's first sender, the subject of the run.
    """
    domains = (*profile.sender_domains, *profile.envelope_domains, *profile.dkim_domains)
    if not domains:
        raise ProfileError(f"profile {profile.id} names no sender domain to check")
    domain = domains[0] if not profile.senders else profile.senders[0].domain
    return await build_report(
        domain,
        resolver,
        profile,
        SENDER_CHECKS,
        command,
        with_snippets=False,
        max_source_age_days=max_source_age_days,
    )
