"""Sophos Email (Central): Global Settings > Allow/Block Sender with Enforce Sender Authentication.

docs.sophos.com: entries may be addresses, domains or IPs (/16 to /32); at most 100,000
entries across lists; with "Enforce Sender Authentication" an allowed message skips scans only
if it passes at least one of DMARC, SPF or DKIM. Malware scanning always runs.
"""

from __future__ import annotations

from mailcheck.base.errors import SnippetError
from mailcheck.snippets.base import FilterSnippet, SnippetContext, add_ip_entries, host_cidr
from mailcheck.snippets.interface import Body, Risk, SnippetPart

ENTRY_CAP = 100_000
LIST_PATH = "Sophos Central > Email Protection > Global Settings > Allow/Block Senders"


class SophosSnippet(FilterSnippet):
    """Sophos Email admin allow list."""

    kind = "sophos"
    product = "Sophos Email (Sophos Central, 2026)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        if len(context.addresses) + len(context.hosts) > ENTRY_CAP:
            raise SnippetError(f"Sophos Email: more than {ENTRY_CAP} allow-list entries")
        rows = "".join(f"    {a}   [x] Enforce Sender Authentication\n" for a in context.addresses)
        body = Body(
            risk=Risk.MEDIUM,
            risk_reason="exact addresses with Enforce Sender Authentication, but Sophos accepts "
            "any one of DMARC, SPF or DKIM, so an unaligned SPF pass is enough",
            allows=(
                f"Mail from {', '.join(context.addresses)} that passes DMARC, SPF or DKIM skips "
                "anti-spam, impersonation, header-anomaly and content scans",
            ),
            does_not_allow=(
                "domains or other addresses; mail failing all of DMARC, SPF, DKIM",
                "malware scanning",
            ),
            where="Sophos Central admin console, as a Super Admin",
            prerequisites=("leave Enforce Sender Authentication ticked on every entry",),
            undo=("Allowed Senders: delete the entries above",),
            parts=(SnippetPart(f"{LIST_PATH} > Allowed Senders", rows),),
        )
        if not context.hosts:
            return body
        ip_rows = "".join(f"    {host_cidr(h)}\n" for h in context.hosts)
        return add_ip_entries(
            body,
            context,
            SnippetPart(f"{LIST_PATH} > Allowed Senders, IP entries (opt-in)", ip_rows),
            "Mail from the listed IPs skips the same scans",
        )
