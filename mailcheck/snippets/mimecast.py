"""Mimecast: a Permitted Senders policy per address, paired with source IP ranges on request.

Policies > Gateway Policies > Permitted Senders (Mimecast KB 34000390156947): "Permit Sender"
bypasses reputation, greylisting and spam scanning only; DNS Authentication (DMARC) and
anti-spoofing policies still apply. Single IPs must carry ``/32``.
"""

from __future__ import annotations

from mailcheck.snippets.base import FilterSnippet, SnippetContext, worst
from mailcheck.snippets.interface import Body, Risk, SnippetPart


class MimecastSnippet(FilterSnippet):
    """Mimecast Permitted Senders policy."""

    kind = "mimecast"
    product = "Mimecast Email Security, Cloud Gateway (Administration Console)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        ranges = ", ".join(f"{h}/{32 if h.version == 4 else 128}" for h in context.hosts)
        policies = "".join(
            "Policies > Gateway Policies > Permitted Senders > New Policy\n"
            f"  Narrative: mailcheck {context.slug()} {address}\n"
            "  Policy: Permit Sender\n"
            "  Addresses based on: The Message From Address\n"
            f"  Emails From: Email Address = {address}\n"
            "  Emails To: Everyone\n"
            + (f"  Validity > Source IP Ranges: {ranges}\n" if ranges else "")
            + f"  Validity > End date: {context.options.review_date or '(set your review date)'}\n"
            "  Save and Exit\n\n"
            for address in context.addresses
        )
        risk, reason = (
            Risk.MEDIUM,
            (
                "exact From addresses; Permitted Senders has no "
                "authentication switch, so it relies on the DNS "
                "Authentication (DMARC) policy staying on"
            ),
        )
        if context.hosts:
            ip_risk, ip_reason = context.ip_risk()
            # pairing narrows the entry (address AND IP), so it is never riskier than MEDIUM
            # unless the IPs are shared, where another tenant could forge the From
            risk = worst(risk, Risk.HIGH if ip_risk is Risk.HIGH else Risk.MEDIUM)
            reason = f"{reason}; paired with source IPs - {ip_reason}"
        return Body(
            risk=risk,
            risk_reason=reason,
            allows=(
                f"Mail with From: {', '.join(context.addresses)}"
                + (" AND from the listed source IPs" if ranges else "")
                + " skips reputation, greylisting and spam scanning",
            ),
            does_not_allow=(
                "other addresses or domains",
                "AV, anti-spoofing, DMARC (DNS Authentication) and Blocked Senders still apply",
            ),
            where="Mimecast Administration Console, as an administrator",
            prerequisites=("a DNS Authentication inbound policy with DMARC enforced",),
            undo=(
                f"Permitted Senders: delete the policies named 'mailcheck {context.slug()} ...'",
            ),
            parts=(SnippetPart("Mimecast Administration Console", policies),),
        )
