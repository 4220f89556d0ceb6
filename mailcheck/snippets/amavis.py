"""Amavis (amavisd-new 2.11+): a policy bank chosen by DKIM-verified author address.

RELEASE_NOTES: ``@author_to_policy_bank_maps`` matches only if a valid DKIM author-domain
signature is found, unlike ``@whitelist_sender_maps`` (sender address only: never emitted).
Values are Perl single-quoted strings.
"""

from __future__ import annotations

from mailcheck.snippets.base import FilterSnippet, SnippetContext, require_plain_address
from mailcheck.snippets.interface import Body, Risk, SnippetPart


def perl_string(value: str) -> str:
    """A Perl single-quoted string: only backslash and quote are special there."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class AmavisSnippet(FilterSnippet):
    """Amavis configuration fragment."""

    kind = "amavis"
    product = "amavisd-new 2.11+ (Debian 12: 2.13)"
    extension = "conf"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        bank = "MAILCHECK_" + context.slug().upper().replace("-", "_")
        entries = "".join(
            f"  {perl_string(require_plain_address(a, self.product))} => {perl_string(bank)},\n"
            for a in context.addresses
        )
        text = (
            "use strict;\n"
            "$enable_dkim_verification = 1;  # Debian's 20-debian_defaults sets 0\n"
            f"$policy_bank{{{perl_string(bank)}}} = {{\n"
            "  bypass_spam_checks_maps => [1],\n  spam_lovers_maps => [1],\n};\n"
            "push @author_to_policy_bank_maps, {\n" + entries + "};\n1;\n"
        )
        return Body(
            risk=Risk.LOW,
            risk_reason="exact author addresses, only with a valid DKIM "
            "signature by the author's domain",
            allows=(
                f"Mail with From: {', '.join(context.addresses)} and a valid author-domain "
                "DKIM signature skips spam checks",
            ),
            does_not_allow=(
                "other addresses; unsigned or third-party-signed mail",
                "virus, banned-file and bad-header checks",
                "IP-based exemptions",
            ),
            where="/etc/amavis/conf.d/60-mailcheck (Debian) or amavisd.conf, then restart",
            prerequisites=(
                "amavisd-new with Mail::DKIM (libmail-dkim-perl)",
                "this file turns DKIM verification on for all mail ($enable_dkim_verification = "
                "1); the policy bank needs it",
            ),
            undo=("delete the file and restart amavis",),
            parts=(SnippetPart("/etc/amavis/conf.d/60-mailcheck", text),),
        )
