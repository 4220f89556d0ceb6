"""Facts of the ``profile-sources`` check: the pages a profile cites, their dates and ages,
and for each entry the pages that list it."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class SourcePage:
    """One cited page (``mailcheck.rulefiles.sources.Provenance``) as of the report's day."""

    id: str
    title: str
    url: str
    page_date: str
    page_date_text: str
    age_days: int | None  # None: the page states no date
    retrieved: str
    superseded_by: str


@dataclass(frozen=True)
class SourceEntry:
    """One sender address or network of the profile and where it comes from."""

    entry: str
    kind: str  # "sender" or "network"
    status: str  # "current", "legacy" or "undocumented"
    environment: str
    environment_inferred: bool
    sources: tuple[str, ...]
    page_dates: tuple[str, ...]  # each source's page date, or "undated"


@dataclass(frozen=True)
class ProfileSourcesFacts(Facts):
    """Every cited page and every entry, with ages counted to ``as_of``."""

    profile: str
    as_of: str
    max_age_days: int
    sources: tuple[SourcePage, ...]
    entries: tuple[SourceEntry, ...]
