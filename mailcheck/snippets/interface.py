"""The one interface every allowlist snippet implements, and the frozen data it returns.

A snippet turns a validated ``SenderProfile`` into text for one filter product. It never
decides *whether* to allow (that is ``checks/``' job); it only says exactly what the text
allows, what it does not, how risky it is, where it goes and how to undo it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from mailcheck.base.model import Facts
from mailcheck.rulefiles.profiles import SenderProfile


class Risk(StrEnum):
    """How much a pasted snippet widens what reaches users."""

    LOW = "low"  # authenticated (DMARC / aligned DKIM) and address-level
    MEDIUM = "medium"  # authenticated but weaker (SPF-or-DKIM, unaligned), or dedicated IPs
    HIGH = "high"  # forgeable by others: shared sending IPs, unauthenticated addresses


@dataclass(frozen=True)
class SnippetOptions:
    """What the user asked for on the command line."""

    include_ip_allowlist: bool = False  # IP entries are opt-in only
    review_date: date | None = None  # written as a comment; there is no clock in the body
    spamassassin_legacy: bool = False  # SpamAssassin 3.x ``whitelist_*`` spellings


@dataclass(frozen=True)
class SnippetFacts:
    """What the sender-side checks found; ``shared_ips`` None means "not checked"."""

    shared_ips: Mapping[str, str] | None = None  # IP text -> operator, e.g. "Amazon SES"
    provider: str | None = None  # detected receiving provider id (a ``FilterKind`` value)

    def __post_init__(self) -> None:
        # freeze the mapping too, so a SnippetFacts can be shared safely
        if self.shared_ips is not None:
            frozen = MappingProxyType(dict(sorted(self.shared_ips.items())))
            object.__setattr__(self, "shared_ips", frozen)


@dataclass(frozen=True)
class SnippetPart:
    """One piece to paste: where it goes and its exact text."""

    target: str  # e.g. "main.cf (append)" or "Admin console > Gmail > Spam"
    text: str  # ends with a newline


@dataclass(frozen=True)
class SnippetOutput:
    """One rendered snippet: the file to write plus everything a reviewer needs to sign it off."""

    filter: str  # FilterKind value
    filename: str
    product: str  # product and version targeted
    risk: Risk
    risk_reason: str
    allows: tuple[str, ...]
    does_not_allow: tuple[str, ...]
    where: str
    prerequisites: tuple[str, ...]
    undo: tuple[str, ...]
    parts: tuple[SnippetPart, ...]
    text: str  # header comment + every part; the exact bytes of the file (UTF-8)
    then: tuple[str, ...] = ()  # what to do after pasting, in order (e.g. leave Audit mode)
    # Set when this filter can allow nothing safely: the sentence saying why and what instead.
    nothing_to_paste: str = ""


@dataclass(frozen=True)
class SnippetsFacts(Facts):
    """The report's ``snippets`` result: every filter's snippet, and the detected provider id."""

    provider: str | None
    snippets: tuple[SnippetOutput, ...] = ()


@dataclass(frozen=True)
class Body:
    """What a filter module decides; the base class adds the header and assembles the file."""

    risk: Risk
    risk_reason: str
    allows: tuple[str, ...]
    does_not_allow: tuple[str, ...]
    where: str
    prerequisites: tuple[str, ...]
    undo: tuple[str, ...]
    parts: tuple[SnippetPart, ...]
    notes: tuple[str, ...] = field(default=())
    then: tuple[str, ...] = field(default=())
    nothing_to_paste: str = ""


class Snippet(ABC):
    """A filter product that turns a profile into one snippet (see ``base.FilterSnippet``)."""

    kind: str  # FilterKind value
    product: str  # product name and the version the syntax targets

    @abstractmethod
    def render(
        self, profile: SenderProfile, options: SnippetOptions, facts: SnippetFacts
    ) -> SnippetOutput:
        """Render one snippet; same inputs give the same bytes. Raise ``SnippetError`` to refuse."""
