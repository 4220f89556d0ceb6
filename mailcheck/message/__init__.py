"""Message analysis: why did a sender's message land in junk or quarantine, and what fixes it.

``analyze_to_report`` runs the whole pipeline for one message and returns a ``Report`` that
every renderer understands: gather (``analyze``) → judge (``evaluate``) → report.
"""

from __future__ import annotations

from mailcheck import __version__
from mailcheck.base.model import CheckResult, Finding, ProfileRef, Report, Status
from mailcheck.dns.interface import Resolver
from mailcheck.message.analyze import Connection, analyze, org_context
from mailcheck.message.facts import MessageFacts
from mailcheck.message.findings import auth_findings, flow_findings
from mailcheck.message.inputs import MessageInput, read_inputs
from mailcheck.message.judgement import (
    match_profile,
    profile_findings,
    verdict_findings,
    verdict_sentence,
)
from mailcheck.message.org import OrgContext
from mailcheck.rulefiles.profiles import SenderProfile


def evaluate(facts: MessageFacts, profile: SenderProfile | None) -> tuple[Finding, ...]:
    """All findings for one message, the one-sentence verdict first."""
    match = match_profile(facts, profile) if profile else None
    name = profile.name if profile else "profile"
    findings = [verdict_sentence(facts, match, name)]
    findings += verdict_findings(facts)
    if profile is not None and match is not None:
        findings += profile_findings(facts, match, profile)
    findings += auth_findings(facts) + flow_findings(facts)
    return tuple(findings)


async def analyze_to_report(
    item: MessageInput,
    resolver: Resolver,
    org: OrgContext,
    profile: SenderProfile | None = None,
    generated_at: str = "",
    command: tuple[str, ...] = (),
    org_problems: tuple[str, ...] = (),
) -> Report:
    """Analyse one message and wrap the result in a ``Report`` (``org_problems``: lookups
    about the organisation that failed, reported as could-not-check findings)."""
    facts = await analyze(item.data, item.label, resolver, org)
    findings = evaluate(facts, profile)
    findings += tuple(Finding("MSG024", Status.ERROR, p) for p in org_problems)
    if item.truncated:
        findings += (
            Finding(
                "MSG002",
                Status.WARN,
                "The input was larger than the read limit and was cut; DKIM body checks will fail",
            ),
        )
    ref = ProfileRef(profile.id, profile.name, profile.source, profile.sha256) if profile else None
    title = f"Message analysis: {item.label}"
    check = CheckResult("message", title, findings, facts)
    return Report(__version__, generated_at, item.label, ref, (check,), command)


__all__ = [
    "Connection",
    "MessageInput",
    "OrgContext",
    "analyze",
    "analyze_to_report",
    "evaluate",
    "org_context",
    "read_inputs",
]
