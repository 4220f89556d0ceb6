"""Allowlist snippets: one module per filter behind ``Snippet``; ``FilterKind`` picks one.

``render_snippets`` is the pure entry point for the CLI and the report: same profile, options
and facts give the same bytes, with the detected provider's snippet first.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.rulefiles.providers import provider_by_id, shipped_providers
from mailcheck.snippets.amavis import AmavisSnippet
from mailcheck.snippets.barracuda import BarracudaSnippet
from mailcheck.snippets.cisco import CiscoSnippet
from mailcheck.snippets.exchange_online import ExchangeOnlineSnippet
from mailcheck.snippets.exchange_server import ExchangeServerSnippet
from mailcheck.snippets.exim import EximSnippet
from mailcheck.snippets.google_workspace import GoogleWorkspaceSnippet
from mailcheck.snippets.interface import (
    Risk,
    Snippet,
    SnippetFacts,
    SnippetOptions,
    SnippetOutput,
    SnippetPart,
)
from mailcheck.snippets.mimecast import MimecastSnippet
from mailcheck.snippets.postfix import PostfixSnippet
from mailcheck.snippets.proofpoint import ProofpointEssentialsSnippet, ProofpointPpsSnippet
from mailcheck.snippets.rspamd import RspamdSnippet
from mailcheck.snippets.sophos import SophosSnippet
from mailcheck.snippets.spamassassin import SpamAssassinSnippet
from mailcheck.snippets.trend_micro import TrendMicroSnippet

__all__ = [
    "FilterKind",
    "Risk",
    "Snippet",
    "SnippetFacts",
    "SnippetOptions",
    "SnippetOutput",
    "SnippetPart",
    "render_snippets",
]


class FilterKind(StrEnum):
    """Every filter product mailcheck writes snippets for; the value is the CLI name."""

    MICROSOFT365 = "microsoft365"
    EXCHANGE_SERVER = "exchange-server"
    GOOGLE_WORKSPACE = "google-workspace"
    PROOFPOINT_PPS = "proofpoint-pps"
    PROOFPOINT_ESSENTIALS = "proofpoint-essentials"
    MIMECAST = "mimecast"
    BARRACUDA = "barracuda"
    CISCO = "cisco"
    SOPHOS = "sophos"
    TREND_MICRO = "trend-micro"
    POSTFIX = "postfix"
    EXIM = "exim"
    SPAMASSASSIN = "spamassassin"
    RSPAMD = "rspamd"
    AMAVIS = "amavis"

    def snippet(self) -> Snippet:
        """The implementation; mypy --strict flags a member without a case."""
        match self:
            case FilterKind.MICROSOFT365:
                return ExchangeOnlineSnippet()
            case FilterKind.EXCHANGE_SERVER:
                return ExchangeServerSnippet()
            case FilterKind.GOOGLE_WORKSPACE:
                return GoogleWorkspaceSnippet()
            case FilterKind.PROOFPOINT_PPS:
                return ProofpointPpsSnippet()
            case FilterKind.PROOFPOINT_ESSENTIALS:
                return ProofpointEssentialsSnippet()
            case FilterKind.MIMECAST:
                return MimecastSnippet()
            case FilterKind.BARRACUDA:
                return BarracudaSnippet()
            case FilterKind.CISCO:
                return CiscoSnippet()
            case FilterKind.SOPHOS:
                return SophosSnippet()
            case FilterKind.TREND_MICRO:
                return TrendMicroSnippet()
            case FilterKind.POSTFIX:
                return PostfixSnippet()
            case FilterKind.EXIM:
                return EximSnippet()
            case FilterKind.SPAMASSASSIN:
                return SpamAssassinSnippet()
            case FilterKind.RSPAMD:
                return RspamdSnippet()
            case FilterKind.AMAVIS:
                return AmavisSnippet()


# Other names users and older reports give a provider; rules/providers.toml ids map through
# each provider's snippet_filter there (see ``provider_filter``).
PROVIDER_ALIASES: dict[str, FilterKind] = {
    "microsoft": FilterKind.MICROSOFT365,
    "microsoft365": FilterKind.MICROSOFT365,
    "office365": FilterKind.MICROSOFT365,
    "exchange-online": FilterKind.MICROSOFT365,
    "google": FilterKind.GOOGLE_WORKSPACE,
    "gmail": FilterKind.GOOGLE_WORKSPACE,
    "proofpoint": FilterKind.PROOFPOINT_PPS,
    "cisco-ironport": FilterKind.CISCO,
    "ironport": FilterKind.CISCO,
    "trendmicro": FilterKind.TREND_MICRO,
}


def provider_filter(provider: str | None) -> FilterKind | None:
    """The filter a detected provider id stands for, or None when unknown."""
    if provider is None:
        return None
    key = provider.strip().lower()
    listed = provider_by_id(shipped_providers(), key)
    if listed is not None:
        return FilterKind(listed.snippet_filter) if listed.snippet_filter else None
    if key in PROVIDER_ALIASES:
        return PROVIDER_ALIASES[key]
    try:
        return FilterKind(key)
    except ValueError:
        return None


def render_snippets(
    profile: SenderProfile,
    options: SnippetOptions,
    filters: tuple[FilterKind, ...] = tuple(FilterKind),
    facts: SnippetFacts | None = None,
    *,
    shared_ips: Mapping[str, str] | None = None,
    provider: str | None = None,
) -> tuple[SnippetOutput, ...]:
    """Render the chosen filters in registry order, the detected provider's first.

    Pass the sender-side facts either as ``facts`` or as ``shared_ips``/``provider``.
    """
    if facts is None:
        facts = SnippetFacts(shared_ips=shared_ips, provider=provider)
    first = provider_filter(facts.provider)
    chosen = sorted(set(filters), key=lambda k: (k != first, list(FilterKind).index(k)))
    return tuple(kind.snippet().render(profile, options, facts) for kind in chosen)
