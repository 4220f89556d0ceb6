"""SpamAssassin 4.0 (3.4 with the legacy spelling): DKIM-bound welcomelist entries.

Mail::SpamAssassin::Conf: ``welcomelist_from_dkim ADDR SIGNING-DOMAIN`` fires
USER_IN_DKIM_WELCOMELIST only when a valid DKIM signature by SIGNING-DOMAIN is present and the
From address matches (aligned DKIM). ``welcomelist_auth`` is not emitted: its SPF leg matches
envelope identities that an ESP-sent message does not share with its From. IP entries (opt-in)
use ``welcomelist_from_rcvd ADDR [IP]``, which pairs the address with the relay IP recorded by a
trusted host. 4.0 renamed ``whitelist_*`` to ``welcomelist_*``; the old names go away in 4.1.
Addresses are SpamAssassin globs (``*``, ``?``), so only plain addresses are emitted.
"""

from __future__ import annotations

from mailcheck.snippets.base import (
    FilterSnippet,
    SnippetContext,
    add_ip_entries,
    require_plain_address,
    require_plain_domain,
)
from mailcheck.snippets.interface import Body, Risk, SnippetPart

SITE_FILE = "/etc/spamassassin/90_mailcheck.cf"
DOES_NOT_ALLOW = (
    "other addresses, unsigned mail, mail signed by another domain",
    "virus scanning (not SpamAssassin's job)",
)
PREREQUISITES = (
    "the DKIM plugin loaded (v312.pre) and network tests on",
    "trusted_networks/internal_networks describing your MX hosts",
)


class SpamAssassinSnippet(FilterSnippet):
    """SpamAssassin site configuration."""

    kind = "spamassassin"
    product = "Apache SpamAssassin 4.0 (3.4 with --spamassassin-legacy)"
    extension = "cf"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        word = "whitelist" if context.options.spamassassin_legacy else "welcomelist"
        lines = []
        for address in context.addresses:
            plain = require_plain_address(address, self.product)
            signer = require_plain_domain(plain.rpartition("@")[2], self.product)
            lines.append(f"{word}_from_dkim {plain} {signer}\n")
        body = Body(
            risk=Risk.LOW,
            risk_reason="exact From addresses with a valid DKIM signature by the From domain "
            "(aligned DKIM)",
            allows=(
                f"Mail with From: {', '.join(context.addresses)} and a valid DKIM signature by "
                "its own domain scores -100 (USER_IN_DKIM_WELCOMELIST)",
            ),
            does_not_allow=DOES_NOT_ALLOW,
            where="a .cf file in the site config directory (spamassassin --siteconfigpath)",
            prerequisites=PREREQUISITES,
            undo=("delete the file and reload spamd / your milter",),
            parts=(SnippetPart(f"site config (e.g. {SITE_FILE})", "".join(lines)),),
        )
        if not context.hosts:
            return body
        rcvd = "".join(
            f"{word}_from_rcvd {a} [{h}]\n" for a in context.addresses for h in context.hosts
        )
        return add_ip_entries(
            body,
            context,
            SnippetPart("same file: address paired with relay IP (opt-in)", rcvd),
            "Mail with those From addresses relayed from the listed IPs (as recorded by your "
            "trusted MX) scores -100 without any signature",
        )
