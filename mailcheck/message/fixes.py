"""Which allowlist snippet fixes a vendor's junk verdict, named the way users ask for it.

Verdicts carry a product id: a ``rules/providers.toml`` id for hosted filters (the snippet's
``--filter`` name is the provider's ``snippet_filter`` there), or, for filters an
organisation runs itself, the ``mailcheck snippets --filter`` name directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.message.org import shipped_providers
from mailcheck.message.verdicts import Disposition, Verdict
from mailcheck.rulefiles.providers import ProviderId, provider_by_id

# Self-hosted filters: product id (= --filter name) -> what the snippet is called
SELF_HOSTED: dict[str, str] = {
    "exchange-server": "the transport rule snippet for Exchange Server",
    "postfix": "the Postfix snippet",
    "exim": "the Exim snippet",
    "spamassassin": "the SpamAssassin snippet",
    "rspamd": "the rspamd snippet",
    "amavis": "the amavis snippet",
}
# Hosted filters whose snippet has a name of its own; the others are "the <short> snippet"
_HOSTED: dict[ProviderId, str] = {
    ProviderId.MICROSOFT_365: "the mail flow rule snippet for Microsoft 365",
    ProviderId.GOOGLE_WORKSPACE: "the Google Workspace snippet",
    ProviderId.PROOFPOINT: "the Proofpoint snippet",
    ProviderId.PROOFPOINT_ESSENTIALS: "the Proofpoint Essentials snippet",
    ProviderId.MIMECAST: "the Mimecast snippet",
    ProviderId.BARRACUDA: "the Barracuda snippet",
    ProviderId.CISCO_SECURE_EMAIL: "the Cisco Secure Email snippet",
    ProviderId.SOPHOS: "the Sophos snippet",
    ProviderId.TREND_MICRO: "the Trend Micro snippet",
}


@dataclass(frozen=True)
class SnippetRef:
    """A snippet as the verdict sentence names it."""

    what: str  # "the mail flow rule snippet for Microsoft 365"
    cli_filter: str  # the --filter value of ``mailcheck snippets``

    @property
    def command(self) -> str:
        """The command that writes it."""
        return f"mailcheck snippets --filter {self.cli_filter}"


def snippet_for(product: str) -> SnippetRef | None:
    """The snippet that configures this product, if mailcheck writes one."""
    provider = provider_by_id(shipped_providers(), product)
    if provider is not None:
        if not provider.snippet_filter:
            return None
        known = product in {p.value for p in ProviderId}
        what = _HOSTED.get(ProviderId(product)) if known else None
        return SnippetRef(what or f"the {provider.name} snippet", provider.snippet_filter)
    what = SELF_HOSTED.get(product)
    return SnippetRef(what, product) if what else None


def fix_phrase(verdict: Verdict, org_product: str = "") -> str:
    """The end of the verdict sentence: which snippet delivers it, or why none can.
    ``org_product`` (the org's provider) picks the product's edition, e.g. Proofpoint
    Essentials rather than Proofpoint Protection Server."""
    product = verdict.filter
    name = org_product if product and org_product.startswith(product + "-") else product
    ref = snippet_for(name) if product else None
    if ref is None:
        return f"no mailcheck snippet covers {verdict.vendor}; allow the sender there by hand"
    if verdict.disposition is Disposition.PHISH:
        return (
            f"an allowlist does not override a phishing verdict in {verdict.vendor}: report it "
            f"as a false positive ({ref.what}, {ref.command}, covers spam and bulk only)"
        )
    return f"{ref.what} ({ref.command}) would deliver it"
