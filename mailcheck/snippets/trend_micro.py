"""Trend Micro Email Security (Cloud Email Gateway Protection): Approved Senders.

docs.trendmicro.com: Inbound Protection > Connection Filtering > Sender Filter > Approved
Senders; formats ``user@example.com``, ``*@example.com``, ``*@*.example.com`` (``*@*`` is
invalid). Approved senders skip IP reputation, spam, BEC and phishing checks; virus scanning and
content filtering still run. Approved IP Address (opt-in) accepts IPv4 ``x.x.x.x/z``.
"""

from __future__ import annotations

from mailcheck.snippets.base import FilterSnippet, SnippetContext, worst
from mailcheck.snippets.interface import Body, Risk, SnippetPart


class TrendMicroSnippet(FilterSnippet):
    """Trend Micro Email Security approved senders."""

    kind = "trend-micro"
    product = "Trend Micro Email Security (Standard/Advanced, 2026 console)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        rows = "".join(f"    {a}\n" for a in context.addresses)
        steps = (
            "Inbound Protection > Connection Filtering > Sender Filter > Approved Senders"
            " > Add (scope: your managed domain)\n"
            + rows
            + "  Settings tab: match the HEADER sender (From:), and add the header "
            "X-TM-Approved-Sender for audit\n"
        )
        parts = [SnippetPart("Trend Micro Email Security administrator console", steps)]
        risk, reason = (
            Risk.HIGH,
            (
                "Approved Senders are not tied to SPF/DKIM/DMARC in the "
                "documentation: a forged From address would be approved "
                "unless Domain-based Authentication rejects it first"
            ),
        )
        v4 = context.ipv4_hosts
        if v4:
            ip_risk, ip_reason = context.ip_risk()
            risk, reason = worst(risk, ip_risk), f"{reason}; {ip_reason}"
            parts.append(
                SnippetPart(
                    "Connection Filtering > IP Reputation > Approved IP Address (opt-in)",
                    "".join(f"    {h}/32\n" for h in v4)
                    + "  leave 'Bypass spam detection for approved IP addresses' unticked\n",
                )
            )
        return Body(
            risk=risk,
            risk_reason=reason,
            allows=(
                f"Mail with From: {', '.join(context.addresses)} skips IP reputation, "
                "spam, BEC and phishing checks",
                *(["Listed IPs skip IP reputation and reverse-DNS checks"] if v4 else []),
            ),
            does_not_allow=("domains or other addresses", "virus scanning, content filtering"),
            where="Trend Micro Email Security administrator console",
            prerequisites=(
                "Domain-based Authentication (SPF, DKIM, DMARC) enabled with "
                "DMARC enforcement, so forged From addresses are stopped first",
            ),
            undo=("Approved Senders / Approved IP Address: delete the entries above",),
            parts=tuple(parts),
            notes=(f"Comment for the entries: mailcheck {context.slug()}",),
        )
