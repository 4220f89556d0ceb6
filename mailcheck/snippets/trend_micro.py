"""Trend Micro Email Security (Cloud Email Gateway Protection): Approved Senders.

docs.trendmicro.com: Inbound Protection > Connection Filtering > Sender Filter > Approved
Senders; formats ``user@example.com``, ``*@example.com``, ``*@*.example.com`` (``*@*`` is
invalid). Approved senders skip IP reputation, spam, BEC and phishing checks; virus scanning and
content filtering still run. Approved IP Address (opt-in) accepts IPv4 ``x.x.x.x/z``.
"""

from __future__ import annotations

from mailcheck.snippets.base import FilterSnippet, SnippetContext, add_ip_entries, host_cidr
from mailcheck.snippets.interface import Body, Risk, SnippetPart

SENDER_FILTER = (
    "Inbound Protection > Connection Filtering > Sender Filter > Approved Senders > Add "
    "(scope: your managed domain)\n"
)
SETTINGS = (
    "  Settings tab: match the HEADER sender (From:), and add the header X-TM-Approved-Sender "
    "for audit\n"
)


class TrendMicroSnippet(FilterSnippet):
    """Trend Micro Email Security approved senders."""

    kind = "trend-micro"
    product = "Trend Micro Email Security (Standard/Advanced, 2026 console)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        rows = "".join(f"    {a}\n" for a in context.addresses)
        body = Body(
            risk=Risk.HIGH,
            risk_reason="Approved Senders are not tied to SPF/DKIM/DMARC in the documentation: "
            "a forged From address would be approved unless Domain-based Authentication "
            "rejects it first",
            allows=(
                f"Mail with From: {', '.join(context.addresses)} skips IP reputation, spam, "
                "BEC and phishing checks",
            ),
            does_not_allow=("domains or other addresses", "virus scanning, content filtering"),
            where="Trend Micro Email Security administrator console",
            prerequisites=(
                "Domain-based Authentication (SPF, DKIM, DMARC) enabled with DMARC "
                "enforcement, so forged From addresses are stopped first",
            ),
            undo=("Approved Senders / Approved IP Address: delete the entries above",),
            parts=(
                SnippetPart(
                    "Trend Micro Email Security administrator console",
                    SENDER_FILTER + rows + SETTINGS,
                ),
            ),
            notes=(f"Comment for the entries: mailcheck {context.slug()}",),
        )
        if not context.ipv4_hosts:
            return body
        ip_rows = "".join(f"    {host_cidr(h)}\n" for h in context.ipv4_hosts)
        return add_ip_entries(
            body,
            context,
            SnippetPart(
                "Connection Filtering > IP Reputation > Approved IP Address (opt-in)",
                ip_rows + "  leave 'Bypass spam detection for approved IP addresses' unticked\n",
            ),
            "Listed IPs skip IP reputation and reverse-DNS checks",
        )
