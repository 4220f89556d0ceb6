"""Postfix 3.6+: a postscreen access list of the documented sender IPs, and nothing else.

Postfix cannot authenticate senders (no SPF/DKIM/DMARC); that belongs in SpamAssassin, rspamd
or Amavis. A postscreen ``permit`` only skips postscreen's pre-greeting and DNSBL tests
(postconf(5) postscreen_access_list; cidr_table(5)); every smtpd restriction, including relay
control, still applies. Nothing here touches smtpd_*_restrictions, so it cannot permit relaying.
"""

from __future__ import annotations

from mailcheck.snippets.base import FilterSnippet, SnippetContext
from mailcheck.snippets.interface import Body, Risk, SnippetPart


def table_name(context: SnippetContext) -> str:
    """The CIDR table's file name inside the Postfix config directory."""
    return f"mailcheck-{context.slug()}-postscreen.cidr"


class PostfixSnippet(FilterSnippet):
    """Postfix postscreen access list."""

    kind = "postfix"
    product = "Postfix 3.6+ postscreen (cidr table)"
    extension = "cf"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        if not context.hosts:
            return _nothing(context)
        table = table_name(context)
        main_cf = (
            f"postscreen_access_list = permit_mynetworks,\n    cidr:$config_directory/{table}\n"
        )
        rows = "".join(f"{h}/{32 if h.version == 4 else 128}\tpermit\n" for h in context.hosts)
        risk, reason = context.ip_risk()
        return Body(
            risk=risk,
            risk_reason=f"postscreen only; {reason}",
            allows=(
                "Connections from the listed IPs skip postscreen's pre-greeting, "
                "protocol and DNSBL tests",
            ),
            does_not_allow=(
                "relaying (smtpd_relay_restrictions is untouched)",
                "skipping smtpd restrictions, content filters or spam scoring",
                "any address or domain: Postfix cannot check authentication",
            ),
            where=f"main.cf (append; merge with an existing postscreen_access_list) and "
            f"{table} in the Postfix config directory",
            prerequisites=("postscreen enabled in master.cf (smtp inet ... postscreen)",),
            undo=(f"remove {table} from postscreen_access_list, delete the file, postfix reload",),
            parts=(
                SnippetPart("main.cf", main_cf),
                SnippetPart(f"$config_directory/{table}", rows),
            ),
        )


def _nothing(context: SnippetContext) -> Body:
    return Body(
        risk=Risk.LOW,
        risk_reason="nothing to paste: Postfix cannot authenticate senders",
        allows=("nothing",),
        does_not_allow=(
            "anything: allowlist authenticated mail in SpamAssassin, rspamd or "
            "Amavis instead (see their snippets)",
        ),
        where="nowhere",
        prerequisites=("none",),
        undo=("none",),
        parts=(SnippetPart("main.cf", "# IP entries are opt-in: --include-ip-allowlist\n"),),
        nothing_to_paste="nothing to paste for Postfix: it cannot authenticate senders; use the "
        "SpamAssassin, rspamd or Amavis snippet",
    )
