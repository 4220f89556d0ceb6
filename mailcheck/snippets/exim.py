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

# @NAME@ placeholders, since Exim's own syntax uses both $ and braces
MAIN = """\
addresslist mailcheck_@SLUG@_senders = @ADDRESSES@
domainlist mailcheck_@SLUG@_domains = @DOMAINS@
# verify every signature (the default); keep any dkim_verify_signers you have
acl_smtp_dkim = acl_check_dkim
"""
ACL = """\
acl_check_dkim:
  # aligned DKIM: the signer IS the From domain, the signature verifies, and the
  # From address is one of the listed senders
  warn    dkim_signers = +mailcheck_@SLUG@_domains
          dkim_status  = pass
          condition    = ${if eqi{$dkim_cur_signer}{${domain:$h_from:}}}
          condition    = ${if match_address{${lc:${address:$h_from:}}}{+mailcheck_@SLUG@_senders}}
          set acl_m_mailcheck_allow = @ID@
  accept
"""
DATA = """\
# in your acl_smtp_data ACL, before the spam = condition:
#   warn    condition  = ${if def:acl_m_mailcheck_allow}
#           add_header = X-Mailcheck-Allowlist: $acl_m_mailcheck_allow
# and add to the spam scan:   !condition = ${if def:acl_m_mailcheck_allow}
"""
DOES_NOT_ALLOW = (
    "relaying (the RCPT ACL is untouched)",
    "unsigned or third-party-signed mail",
    "IP-based exemptions",
)
PREREQUISITES = (
    "Exim built with DKIM (Debian exim4-daemon-light/heavy)",
    "no existing acl_smtp_dkim (otherwise merge the warn statement)",
)


def _list(items: tuple[str, ...]) -> str:
    # plain values only (checked by the callers): no ':' separators or '$' expansions inside
    return " : ".join(items)


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    return template


class EximSnippet(FilterSnippet):
    """Exim DKIM ACL."""

    kind = "exim"
    product = "Exim 4.94+ (acl_smtp_dkim; tested with Debian exim4 4.96)"
    extension = "conf"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        addresses = tuple(require_plain_address(a, self.product) for a in context.addresses)
        domains = tuple(require_plain_domain(d, self.product) for d in context.domains)
        values = {
            "SLUG": context.slug().replace("-", "_"),
            "ID": context.slug(),
            "ADDRESSES": _list(addresses),
            "DOMAINS": _list(domains),
        }
        return Body(
            risk=Risk.LOW,
            risk_reason="exact From addresses with a verified DKIM signature by the From "
            "domain itself (DMARC-style strict alignment)",
            allows=(
                f"Mail with From: {', '.join(addresses)} signed by {', '.join(domains)} skips "
                "the spam scan you guard with the mark",
            ),
            does_not_allow=DOES_NOT_ALLOW,
            where="main section: the list and acl_smtp_dkim lines; 'begin acl' section: "
            "acl_check_dkim; your DATA ACL: the two commented lines",
            prerequisites=PREREQUISITES,
            undo=("delete the lines above and restart Exim",),
            parts=(
                SnippetPart("main configuration section", _fill(MAIN, values)),
                SnippetPart("after 'begin acl'", _fill(ACL, values)),
                SnippetPart("acl_smtp_data (merge by hand)", DATA),
            ),
        )
