"""Barracuda Email Gateway Defense (cloud): Sender Policies "Exempt" per address.

Inbound Settings > Sender Policies (campus.barracuda.com doc 96023020): no wildcards, matches
header From and envelope From; Exempt skips spam scoring, Intent and content filters, while
virus scanning, rate control and SPF checks still apply (unless the IP is exempt). IP Address
Policies need netmask notation; single hosts are 255.255.255.255 only.
"""

from __future__ import annotations

from mailcheck.snippets.base import FilterSnippet, SnippetContext, worst
from mailcheck.snippets.interface import Body, Risk, SnippetPart


class BarracudaSnippet(FilterSnippet):
    """Barracuda Email Gateway Defense sender and IP policies."""

    kind = "barracuda"
    product = "Barracuda Email Gateway Defense (formerly Email Security Service)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        rows = "".join(
            f"    Sender: {a} | Policy: Exempt | Comment: mailcheck {context.slug()}\n"
            for a in context.addresses
        )
        parts = [SnippetPart("Barracuda: Inbound Settings > Sender Policies > Add", rows)]
        risk, reason = (
            Risk.HIGH,
            (
                "Barracuda cannot tie an exemption to DKIM/DMARC: anyone "
                "who forges the From address and passes SPF for their own "
                "envelope domain is exempt too"
            ),
        )
        allows = [
            f"Mail from {', '.join(context.addresses)} (header or envelope From) skips "
            "spam scoring, Intent Analysis and content filters"
        ]
        v4 = context.ipv4_hosts
        if v4:
            ip_risk, ip_reason = context.ip_risk()
            risk, reason = worst(risk, ip_risk), f"{reason}; {ip_reason}"
            parts.append(
                SnippetPart(
                    "Barracuda: Inbound Settings > IP Address Policies > Add (opt-in)",
                    "".join(
                        f"    IP Address: {h} | Netmask: 255.255.255.255 | Policy: Exempt | "
                        f"Comment: mailcheck {context.slug()}\n"
                        for h in v4
                    ),
                )
            )
            allows.append(
                "Any mail from the listed IPs skips spam scoring, block lists and the SPF check"
            )
        return Body(
            risk=risk,
            risk_reason=reason,
            allows=tuple(allows),
            does_not_allow=("domains or other addresses", "virus scanning and rate control"),
            where="Barracuda Cloud Control > Email Gateway Defense > Inbound Settings",
            prerequisites=("SPF checking and DMARC enforcement enabled in Anti-Spam settings",),
            undo=(
                "Sender Policies / IP Address Policies: delete the rows commented "
                f"'mailcheck {context.slug()}'",
            ),
            parts=tuple(parts),
        )
