"""Cisco Secure Email Gateway (AsyncOS 14+): a message filter with SPF and DKIM conditions.

Message filter syntax per the AsyncOS Advanced User Guide ("SPF-Status Rule", "DKIM
Authentication Rule"): ``spf-status("mailfrom") == "Pass"``, ``dkim-authentication == "pass"``,
``header("From") == "regex"``; action ``skip-spamcheck()``. Filters are checked by the appliance
CLI (``filters`` > ``new``); there is no offline validator.
"""

from __future__ import annotations

import re

from mailcheck.snippets.base import FilterSnippet, SnippetContext, require_plain_address
from mailcheck.snippets.interface import Body, Risk, SnippetPart


def _filter_string(regex: str) -> str:
    """A double-quoted AsyncOS filter string: backslash and quote escaped."""
    return '"' + regex.replace("\\", "\\\\").replace('"', '\\"') + '"'


class CiscoSnippet(FilterSnippet):
    """Cisco Secure Email Gateway (IronPort) message filter."""

    kind = "cisco"
    product = "Cisco Secure Email Gateway (AsyncOS 14.x-16.x) message filter"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        plain = [re.escape(require_plain_address(a, self.product)) for a in context.addresses]
        # the From header may carry a display name: match <addr> or a bare addr, whole address
        regex = r"(?i)(^|<|\s)(" + "|".join(plain) + r")(>|\s|$)"
        name = "mailcheck_" + context.slug().replace("-", "_")
        text = (
            f"{name}:\n"
            f'if (header("From") == {_filter_string(regex)})\n'
            '   and (dkim-authentication == "pass")\n'
            '   and (spf-status("mailfrom") != "Fail")\n'
            "{\n"
            f'    insert-header("X-Mailcheck-Allowlist", "{context.slug()}");\n'
            "    skip-spamcheck();\n"
            "}\n"
            ".\n"
        )
        return Body(
            risk=Risk.MEDIUM,
            risk_reason="exact addresses with a DKIM pass, but AsyncOS's dkim-authentication "
            "does not check that the signing domain matches the From domain (no DMARC "
            "alignment in this condition)",
            allows=(
                f"Mail with From: {', '.join(context.addresses)}, a passing DKIM "
                "signature and no SPF fail skips anti-spam scanning",
            ),
            does_not_allow=(
                "other addresses; unsigned mail; IP-only entries (HAT sender "
                "groups are not emitted)",
                "anti-virus and outbreak filters",
            ),
            where="CLI: filters > new (paste, end with a line holding a single '.'), commit",
            prerequisites=(
                "DKIM verification and SPF verification enabled in the mail "
                "flow policy of the listener",
                "DMARC verification enabled too",
            ),
            undo=(f"CLI: filters > delete > {name}, then commit",),
            parts=(SnippetPart("AsyncOS CLI: filters > new", text),),
        )
