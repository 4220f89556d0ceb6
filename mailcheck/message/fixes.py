"""Which allowlist snippet fixes a vendor's junk verdict, named the way users ask for it.

Keys are the filter names the verdict decoders use (m365, exchange, google, ...); each maps to
the product wording and the ``mailcheck snippets --filter`` name of the snippet that
configures that product (mailcheck.snippets.FilterKind).
"""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.message.verdicts import Disposition, Verdict


@dataclass(frozen=True)
class SnippetRef:
    """A snippet as the verdict sentence names it."""

    what: str  # "the mail flow rule snippet for Microsoft 365"
    cli_filter: str  # the --filter value of ``mailcheck snippets``

    @property
    def command(self) -> str:
        """The command that writes it."""
        return f"mailcheck snippets --filter {self.cli_filter}"


SNIPPETS: dict[str, SnippetRef] = {
    "m365": SnippetRef("the mail flow rule snippet for Microsoft 365", "microsoft365"),
    "exchange": SnippetRef("the transport rule snippet for Exchange Server", "exchange-server"),
    "google": SnippetRef("the Google Workspace snippet", "google-workspace"),
    "proofpoint": SnippetRef("the Proofpoint snippet", "proofpoint-pps"),
    "proofpoint-essentials": SnippetRef(
        "the Proofpoint Essentials snippet", "proofpoint-essentials"
    ),
    "mimecast": SnippetRef("the Mimecast snippet", "mimecast"),
    "barracuda": SnippetRef("the Barracuda snippet", "barracuda"),
    "cisco": SnippetRef("the Cisco Secure Email snippet", "cisco"),
    "sophos": SnippetRef("the Sophos snippet", "sophos"),
    "trendmicro": SnippetRef("the Trend Micro snippet", "trend-micro"),
    "postfix": SnippetRef("the Postfix snippet", "postfix"),
    "exim": SnippetRef("the Exim snippet", "exim"),
    "spamassassin": SnippetRef("the SpamAssassin snippet", "spamassassin"),
    "rspamd": SnippetRef("the rspamd snippet", "rspamd"),
    "amavis": SnippetRef("the amavis snippet", "amavis"),
}


def fix_phrase(verdict: Verdict, org_filter: str = "") -> str:
    """The end of the verdict sentence: which snippet delivers it, or why none can.
    ``org_filter`` (the org's provider) picks the product's edition, e.g. Proofpoint
    Essentials rather than Proofpoint Protection Server."""
    name = org_filter if org_filter.startswith(verdict.filter + "-") else verdict.filter
    ref = SNIPPETS.get(name) if verdict.filter else None
    if ref is None:
        return f"no mailcheck snippet covers {verdict.vendor}; allow the sender there by hand"
    if verdict.disposition is Disposition.PHISH:
        return (
            f"an allowlist does not override a phishing verdict in {verdict.vendor}: report it "
            f"as a false positive ({ref.what}, {ref.command}, covers spam and bulk only)"
        )
    return f"{ref.what} ({ref.command}) would deliver it"
