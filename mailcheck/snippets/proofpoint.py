"""Proofpoint Protection Server (PPS / Enterprise) and Proofpoint Essentials: console values.

Essentials: Security Settings > Email > Sender Lists > Safe Senders (help.proofpoint.com;
CIDR no wider than /24). Anti-spoofing/DMARC stays on, which is what keeps a safe-listed
address from being forged; mailcheck never emits the anti-spoofing exceptions. PPS:
Email Protection > Spam Detection > Organizational Safe List, filter type "Header From"
(admin guide is login-gated; unconfirmed in public documents, check on your console).
"""

from __future__ import annotations

from mailcheck.base.errors import SnippetError
from mailcheck.snippets.base import FilterSnippet, SnippetContext, worst
from mailcheck.snippets.interface import Body, Risk, SnippetPart

ESSENTIALS_WIDEST_PREFIX = 24  # Essentials refuses CIDR ranges larger than a /24


def _ip_lines(context: SnippetContext, product: str) -> str:
    for host in context.hosts:
        prefix = 32 if host.version == 4 else 128
        if prefix < ESSENTIALS_WIDEST_PREFIX:  # defensive: a host is never wider
            raise SnippetError(f"{product}: CIDR wider than /{ESSENTIALS_WIDEST_PREFIX}")
    return "".join(f"    {h}/{32 if h.version == 4 else 128}\n" for h in context.hosts)


def _body(context: SnippetContext, product: str, steps: str, undo: str) -> Body:
    risk, reason = (
        Risk.MEDIUM,
        (
            "exact addresses; the safe list itself does not check "
            "authentication, so it relies on Proofpoint's anti-spoofing "
            "and DMARC enforcement staying on"
        ),
    )
    allows = [f"Mail with From: {', '.join(context.addresses)} skips spam scoring"]
    parts = [SnippetPart(f"{product} admin console", steps)]
    if context.hosts:
        ip_risk, ip_reason = context.ip_risk()
        risk, reason = worst(risk, ip_risk), f"{reason}; {ip_reason}"
        parts.append(
            SnippetPart(
                f"{product}: IP safe list entries (opt-in)",
                "  Add as separate safe-list entries (single hosts only):\n"
                + _ip_lines(context, product),
            )
        )
        allows.append("Any mail from the listed IPs skips spam scoring")
    return Body(
        risk=risk,
        risk_reason=reason,
        allows=tuple(allows),
        does_not_allow=(
            "domains (*@domain) or other addresses",
            "virus scanning; anti-spoofing / DMARC exceptions (never add them)",
        ),
        where=f"{product} admin console, organization level",
        prerequisites=("anti-spoofing and DMARC enforcement enabled (the default)",),
        undo=(undo,),
        parts=tuple(parts),
    )


class ProofpointPpsSnippet(FilterSnippet):
    """Proofpoint Protection Server / Proofpoint Enterprise."""

    kind = "proofpoint-pps"
    product = "Proofpoint Protection Server / Enterprise Protection 8.x"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        rows = "".join(
            f"    Filter Type: Header From | Operator: Equals | Value: {a}\n"
            for a in context.addresses
        )
        steps = (
            "Email Protection > Spam Detection > Organizational Safe List > Add\n"
            + rows
            + f"  Comment: mailcheck {context.slug()} - {context.review_line()}\n"
        )
        return _body(
            context, "Proofpoint PPS", steps, "Organizational Safe List: delete the rows above"
        )


class ProofpointEssentialsSnippet(FilterSnippet):
    """Proofpoint Essentials."""

    kind = "proofpoint-essentials"
    product = "Proofpoint Essentials (2026 console)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        steps = (
            "Security Settings > Email > Sender Lists > Safe Senders List > add:\n"
            + "".join(f"    {a}\n" for a in context.addresses)
            + "  Save\n"
        )
        return _body(
            context,
            "Proofpoint Essentials",
            steps,
            "Sender Lists > Safe Senders List: remove the entries above",
        )
