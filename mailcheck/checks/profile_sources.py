"""Profile sources: which page documents each profile entry, and how old those pages are.

Pure: no DNS. The age is counted to the run's evidence date (not the wall clock), so a replayed
report says the same. A profile whose newest dated current page is older than the allowed age
gets a warning: the vendor may have changed its senders since.
"""

from __future__ import annotations

from datetime import date

from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.facts.profile_sources import ProfileSourcesFacts, SourceEntry, SourcePage
from mailcheck.rulefiles.profiles import Sender, SenderProfile, SourceNetwork
from mailcheck.rulefiles.sources import DEFAULT_MAX_AGE_DAYS, Provenance, newest_page_date

NAME = "profile-sources"
TITLE = "Profile sources: who documents each entry, and how old that page is"


def evaluate(
    profile: SenderProfile, today: date, max_age_days: int = DEFAULT_MAX_AGE_DAYS
) -> CheckResult:
    """The sources check for one profile, aged against ``today`` (the evidence date)."""
    findings = [_age_finding(profile, today, max_age_days)]
    legacy: list[Sender | SourceNetwork] = [*profile.legacy_senders, *profile.legacy_networks]
    if legacy:
        findings.append(
            Finding(
                "SRC004",
                Status.INFO,
                f"{len(legacy)} legacy entries: listed only by superseded pages",
                detail="mailcheck never allowlists them; an existing allowlist that still has "
                "them should drop them (run `mailcheck audit FILE --profile "
                f"{profile.id}`).",
                subject=profile.id,
                evidence=tuple(_label(e) for e in legacy),
            )
        )
    inferred = [s for s in profile.senders if s.environment_inferred]
    if inferred:
        findings.append(
            Finding(
                "SRC005",
                Status.INFO,
                f"{len(inferred)} sender environments are inferred, not stated by any page",
                detail="; ".join(f"{s.address}: {s.note}" for s in inferred),
                subject=profile.id,
                evidence=tuple(s.address for s in inferred),
            )
        )
    return CheckResult(NAME, TITLE, tuple(findings), facts(profile, today, max_age_days))


def _age_finding(profile: SenderProfile, today: date, max_age_days: int) -> Finding:
    newest = newest_page_date(profile.provenance)
    if not newest:
        return Finding(
            "SRC003",
            Status.INFO,
            "No current source page states its date: the data's age is unknown",
            detail="Only the retrieval dates are known: "
            + ", ".join(f"{p.id} retrieved {p.retrieved}" for p in profile.provenance),
            subject=profile.id,
        )
    age = (today - date.fromisoformat(newest)).days
    if age > max_age_days:
        return Finding(
            "SRC002",
            Status.WARN,
            f"The newest source page is {age} days old (limit {max_age_days})",
            detail=f"Newest current page dated {newest}. Check the vendor's pages for changes "
            "before approving an allowlist built from this profile.",
            subject=profile.id,
        )
    return Finding(
        "SRC001",
        Status.PASS,
        f"The newest source page is {age} days old (limit {max_age_days})",
        detail=f"Newest current page dated {newest}.",
        subject=profile.id,
    )


def facts(profile: SenderProfile, today: date, max_age_days: int) -> ProfileSourcesFacts:
    """Per entry its cited pages; per page its own date, age and retrieval date."""
    entries: list[Sender | SourceNetwork] = [
        *profile.senders,
        *profile.networks,
        *profile.legacy_senders,
        *profile.legacy_networks,
    ]
    return ProfileSourcesFacts(
        profile.id,
        today.isoformat(),
        max_age_days,
        tuple(_source(p, today) for p in profile.provenance),
        tuple(_entry(profile, e) for e in entries),
    )


def _source(item: Provenance, today: date) -> SourcePage:
    return SourcePage(
        item.id,
        item.title,
        item.url,
        item.page_date,
        item.page_date_text,
        item.age_days(today),
        item.retrieved,
        item.superseded_by,
    )


def _entry(profile: SenderProfile, entry: Sender | SourceNetwork) -> SourceEntry:
    is_sender = isinstance(entry, Sender)
    status = "legacy" if entry.legacy else "current"
    if isinstance(entry, SourceNetwork) and not entry.documented:
        status = "undocumented"
    return SourceEntry(
        _label(entry),
        "sender" if is_sender else "network",
        status,
        entry.environment.value if isinstance(entry, Sender) else "",
        isinstance(entry, Sender) and entry.environment_inferred,
        tuple(entry.sources),
        tuple(p.page_date or "undated" for p in profile.sources_of(entry)),
    )


def _label(entry: Sender | SourceNetwork) -> str:
    return entry.address if isinstance(entry, Sender) else str(entry.network)
