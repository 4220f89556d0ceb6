"""Exim 4.9x: ACL fragments that mark mail from the listed addresses with an aligned DKIM pass.

Exim verifies DKIM natively (spec chapter "DKIM, ARC, SPF and DMARC"): ``dkim_verify_signers``
in the main section, ``acl_smtp_dkim`` runs once per signer with ``dkim_signers`` and
``dkim_status`` conditions. The mark (``acl_m_mailcheck_allow``) only tells the DATA ACL to skip
your spam scan; it accepts nothing by itself, so relay control in the RCPT ACL is untouched.
Debian's exim4-daemon-light has DKIM but no SPF/DMARC, so SPF is not used here.
"""

from __future__ import annotations

from mailcheck.snippets.base import (
    FilterSnippet,
    SnippetContext,
    require_plain_address,
    require_plain_domain,
)
from mailcheck.snippets.interface import Body, Risk, SnippetPart


def _list(items: tuple[str, ...]) -> str:
    # plain values only (checked by the callers): no ':' separators or '$' expansions inside
    return " : ".join(items)


class EximSnippet(FilterSnippet):
    """Exim DKIM ACL."""

    kind = "exim"
    product = "Exim 4.94+ (acl_smtp_dkim; tested with Debian exim4 4.96)"
    extension = "conf"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        slug = context.slug().replace("-", "_")
        addresses = tuple(require_plain_address(a, self.product) for a in context.addresses)
        domains = tuple(require_plain_domain(d, self.product) for d in context.domains)
        main = (
            f"addresslist mailcheck_{slug}_senders = {_list(addresses)}\n"
            f"domainlist mailcheck_{slug}_domains = {_list(domains)}\n"
            "# verify every signature (the default); keep any dkim_verify_signers you have\n"
            "acl_smtp_dkim = acl_check_dkim\n"
        )
        acl = (
            "acl_check_dkim:\n"
            "  # aligned DKIM: the signer IS the From domain, the signature verifies, and the\n"
            "  # From address is one of the listed senders\n"
            "  warn    dkim_signers = +mailcheck_" + slug + "_domains\n"
            "          dkim_status  = pass\n"
            "          condition    = ${if eqi{$dkim_cur_signer}{${domain:$h_from:}}}\n"
            "          condition    = ${if match_address{${lc:${address:$h_from:}}}"
            "{+mailcheck_" + slug + "_senders}}\n"
            "          set acl_m_mailcheck_allow = " + context.slug() + "\n"
            "  accept\n"
        )
        data = (
            "# in your acl_smtp_data ACL, before the spam = condition:\n"
            "#   warn    condition  = ${if def:acl_m_mailcheck_allow}\n"
            "#           add_header = X-Mailcheck-Allowlist: $acl_m_mailcheck_allow\n"
            "# and add to the spam scan:   !condition = ${if def:acl_m_mailcheck_allow}\n"
        )
        return Body(
            risk=Risk.LOW,
            risk_reason="exact From addresses with a verified DKIM "
            "signature by the From domain itself (DMARC-style strict alignment)",
            allows=(
                f"Mail with From: {', '.join(addresses)} signed by "
                f"{', '.join(domains)} skips the spam scan you guard with the mark",
            ),
            does_not_allow=(
                "relaying (the RCPT ACL is untouched)",
                "unsigned or third-party-signed mail",
                "IP-based exemptions",
            ),
            where="main section: the list and acl_smtp_dkim lines; 'begin acl' section: "
            "acl_check_dkim; your DATA ACL: the two commented lines",
            prerequisites=(
                "Exim built with DKIM (Debian exim4-daemon-light/heavy)",
                "no existing acl_smtp_dkim (otherwise merge the warn statement)",
            ),
            undo=("delete the lines above and restart Exim",),
            parts=(
                SnippetPart("main configuration section", main),
                SnippetPart("after 'begin acl'", acl),
                SnippetPart("acl_smtp_data (merge by hand)", data),
            ),
        )
