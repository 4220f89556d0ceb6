"""Mimecast: a Permitted Senders policy per address, paired with source IP ranges on request.

Policies > Gateway Policies > Permitted Senders (Mimecast KB 34000390156947): "Permit Sender"
bypasses reputation, greylisting and spam scanning only; DNS Authentication (DMARC) and
anti-spoofing policies still apply. Single IPs must carry ``/32``.
"""

from __future__ import annotations

from dataclasses import replace

from mailcheck.snippets.base import FilterSnippet, SnippetContext, host_cidr, worst
from mailcheck.snippets.interface import Body, Risk, SnippetPart

POLICY = """\
Policies > Gateway Policies > Permitted Senders > New Policy
  Narrative: mailcheck {slug} {address}
  Policy: Permit Sender
  Addresses based on: The Message From Address
  Emails From: Email Address = {address}
  Emails To: Everyone
{ranges}  Validity > End date: {end}
  Save and Exit

"""


class MimecastSnippet(FilterSnippet):
    """Mimecast Permitted Senders policy."""

    kind = "mimecast"
    product = "Mimecast Email Security, Cloud Gateway (Administration Console)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        ranges = ", ".join(host_cidr(h) for h in context.hosts)
        line = f"  Validity > Source IP Ranges: {ranges}\n" if ranges else ""
        end = context.options.review_date or "(set your review date)"
        policies = "".join(
            POLICY.format(slug=context.slug(), address=a, ranges=line, end=end)
            for a in context.addresses
        )
        body = Body(
            risk=Risk.MEDIUM,
            risk_reason="exact From addresses; Permitted Senders has no authentication switch, "
            "so it relies on the DNS Authentication (DMARC) policy staying on",
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
        if not context.hosts:
            return body
        # pairing narrows the entry (address AND IP); shared IPs still let another tenant in
        ip_risk, ip_reason = context.ip_risk()
        return replace(
            body,
            risk=worst(body.risk, ip_risk),
            risk_reason=f"{body.risk_reason}; paired with source IPs - {ip_reason}",
        )
