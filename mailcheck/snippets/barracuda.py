"""Barracuda Email Gateway Defense (cloud): Sender Policies "Exempt" per address.

Inbound Settings > Sender Policies (campus.barracuda.com doc 96023020): no wildcards, matches
header From and envelope From; Exempt skips spam scoring, Intent and content filters, while
virus scanning, rate control and SPF checks still apply (unless the IP is exempt). IP Address
Policies need netmask notation; single hosts are 255.255.255.255 only.
"""

from __future__ import annotations

from mailcheck.snippets.base import FilterSnippet, SnippetContext, add_ip_entries
from mailcheck.snippets.interface import Body, Risk, SnippetPart


class BarracudaSnippet(FilterSnippet):
    """Barracuda Email Gateway Defense sender and IP policies."""

    kind = "barracuda"
    product = "Barracuda Email Gateway Defense (formerly Email Security Service)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        comment = f"mailcheck {context.slug()}"
        rows = "".join(
            f"    Sender: {a} | Policy: Exempt | Comment: {comment}\n" for a in context.addresses
        )
        body = Body(
            risk=Risk.HIGH,
            risk_reason="Barracuda cannot tie an exemption to DKIM/DMARC: anyone who forges "
            "the From address and passes SPF for their own envelope domain is exempt too",
            allows=(
                f"Mail from {', '.join(context.addresses)} (header or envelope From) skips "
                "spam scoring, Intent Analysis and content filters",
            ),
            does_not_allow=("domains or other addresses", "virus scanning and rate control"),
            where="Barracuda Cloud Control > Email Gateway Defense > Inbound Settings",
            prerequisites=("SPF checking and DMARC enforcement enabled in Anti-Spam settings",),
            undo=(f"Sender Policies / IP Address Policies: delete the rows commented '{comment}'",),
            parts=(SnippetPart("Barracuda: Inbound Settings > Sender Policies > Add", rows),),
        )
        if not context.ipv4_hosts:
            return body
        ip_rows = "".join(
            f"    IP Address: {h} | Netmask: 255.255.255.255 | Policy: Exempt | "
            f"Comment: {comment}\n"
            for h in context.ipv4_hosts
        )
        return add_ip_entries(
            body,
            context,
            SnippetPart(
                "Barracuda: Inbound Settings > IP Address Policies > Add (opt-in)", ip_rows
            ),
            "Any mail from the listed IPs skips spam scoring, block lists and the SPF check",
        )
