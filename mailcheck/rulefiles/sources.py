"""Provenance of a sender profile: the pages it is built from, and which entry each page lists.

A security team signs off an allowlist entry only when it can see who documented it, where
and when. So every profile entry cites the ``[[provenance]]`` item(s) that list it; each item
carries the page's own date as the page states it (if it states one) and the retrieval date;
an item ``superseded_by`` a newer page makes the entries only it lists ``legacy``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mailcheck.rulefiles.loader import Table

_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
SOLE_SOURCE_ID = "source"  # the implicit id of a profile's only provenance item
DEFAULT_MAX_AGE_DAYS = 730  # a profile whose newest dated page is older gets a finding


@dataclass(frozen=True)
class Provenance:
    """A source document the profile is built from."""

    title: str
    url: str
    retrieved: str  # ISO date we read the page
    note: str = ""
    id: str = SOLE_SOURCE_ID  # what entries cite in ``sources``
    page_date: str = ""  # ISO date the page states (modified/updated/published); "" if none
    page_date_text: str = ""  # that date exactly as the page writes it
    superseded_by: str = ""  # id of the newer page that replaces this one

    @property
    def is_superseded(self) -> bool:
        """True for an older page whose entries are legacy."""
        return bool(self.superseded_by)

    def age_days(self, today: date) -> int | None:
        """Days from the page's own date to ``today``; None when the page states no date."""
        if not self.page_date:
            return None
        return (today - date.fromisoformat(self.page_date)).days

    def describe(self, today: date | None = None) -> str:
        """One line for headers and listings: title, URL, the page's date, its age, retrieval."""
        if not self.page_date:
            dated = "page states no date"
        else:
            age = self.age_days(today) if today is not None else None
            dated = f"page dated {self.page_date}" + (
                f", {age} days old" if age is not None else ""
            )
        legacy = f"; superseded by {self.superseded_by}" if self.superseded_by else ""
        return f"{self.title} <{self.url}> ({dated}; retrieved {self.retrieved}{legacy})"


def read_provenance(tables: list[Table]) -> tuple[Provenance, ...]:
    """Validate the ``[[provenance]]`` items: ids unique (optional for a sole item)."""
    items = tuple(_item(table, sole=len(tables) == 1) for table in tables)
    ids = [p.id for p in items]
    for table, item in zip(tables, items, strict=True):
        if item.id and ids.count(item.id) > 1:
            table.problem("id", f"{item.id!r} is used by more than one provenance item")
        if item.superseded_by and item.superseded_by not in ids:
            table.problem("superseded_by", f"{item.superseded_by!r} is no provenance id")
        if item.superseded_by == item.id:
            table.problem("superseded_by", "a page cannot supersede itself")
    return items


def _item(table: Table, *, sole: bool) -> Provenance:
    url = table.text("url")
    if url and not url.startswith("https://"):
        table.problem("url", "must be an https:// URL")
    item_id = table.text("id", required=not sole, default=SOLE_SOURCE_ID)
    if item_id and not _ID.match(item_id):
        table.problem("id", "use lower-case letters, digits and inner hyphens (max 64)")
    page_date = table.day("page_date", required=False)
    page_date_text = table.text("page_date_text", required=False)
    if page_date_text and not page_date:
        table.problem("page_date", "page_date_text needs the date it means as page_date")
    item = Provenance(
        title=table.text("title"),
        url=url,
        retrieved=table.day("retrieved"),
        note=table.text("note", required=False),
        id=item_id,
        page_date=page_date,
        page_date_text=page_date_text,
        superseded_by=table.text("superseded_by", required=False),
    )
    table.finish()
    return item


def read_citations(table: Table, provenance: tuple[Provenance, ...]) -> tuple[str, ...]:
    """An entry's ``sources``: provenance ids, each known; a sole item is cited implicitly."""
    known = {p.id for p in provenance}
    cited = tuple(value for _, value in table.strings("sources"))
    if not cited and "sources" not in table and len(provenance) == 1:
        return (provenance[0].id,)
    if not cited:
        table.problem("sources", "cites no source: name the provenance id(s) that list it")
    for unknown in sorted(set(cited) - known):
        table.problem("sources", f"{unknown!r} is no provenance id")
    if len(set(cited)) != len(cited):
        table.problem("sources", "cites the same source twice")
    return cited


def check_legacy(
    table: Table, legacy: bool, cited: tuple[str, ...], provenance: tuple[Provenance, ...]
) -> None:
    """``legacy`` must say exactly whether only superseded pages list the entry."""
    by_id = {p.id: p for p in provenance}
    found = [by_id[c] for c in cited if c in by_id]
    if not found:
        return
    only_old = all(p.is_superseded for p in found)
    if legacy and not only_old:
        table.problem("legacy", "a current page lists this entry, so it is not legacy")
    elif only_old and not legacy:
        table.problem("legacy", "only superseded pages list this entry: mark it legacy = true")


def read_entry_sources(
    table: Table, provenance: tuple[Provenance, ...]
) -> tuple[tuple[str, ...], bool]:
    """An entry's cited sources and its ``legacy`` flag, checked against each other."""
    sources = read_citations(table, provenance)
    legacy = table.boolean("legacy", default=False)
    check_legacy(table, legacy, sources, provenance)
    return sources, legacy


def newest_page_date(provenance: tuple[Provenance, ...]) -> str:
    """The newest date a current (not superseded) page states; "" when none states one."""
    dates = [p.page_date for p in provenance if p.page_date and not p.is_superseded]
    return max(dates, default="")
