"""Microsoft 365 / Exchange Online Protection: PowerShell for Exchange Online.

Follows Microsoft's "Create safe sender lists" ranking (defender-docs): Tenant Allow/Block List
sender entries first (``New-TenantAllowBlockListItems``; allow entries cannot be permanent, so
``-RemoveAfter 45``), then a mail flow rule that sets SCL -1 only for the listed addresses when
Authentication-Results says ``dmarc=pass`` for their domain (``New-TransportRule``), and the
connection-filter IP Allow List (``Set-HostedConnectionFilterPolicy``) only on request: IPv4,
/24-/32, at most 1273 entries, always in the additive ``@{Add=...}`` form.
"""

from __future__ import annotations

from mailcheck.base.errors import SnippetError
from mailcheck.snippets.base import FilterSnippet, SnippetContext, add_ip_entries, host_cidr
from mailcheck.snippets.interface import Body, Risk, SnippetPart
from mailcheck.snippets.powershell import ps_list, ps_quote, transport_rule

TABL_ALLOW_CAP = 500  # sender allow entries without Defender for Office 365 (the lowest plan cap)
TABL_BATCH = 20  # the portal adds at most 20 entries at once; batches keep cmdlet runs alike
IP_ALLOW_LIST_CAP = 1273  # entries in the connection filter IP Allow List
PREREQUISITES = (
    "Exchange Online PowerShell module V3, role Security Administrator or Organization Management",
    "no third-party gateway in front of Exchange Online (otherwise DMARC is evaluated on the "
    "gateway's hop; fix Enhanced Filtering first)",
    "TABL: if direct sender allow entries are refused in your tenant, submit a sample as "
    "'Should not have been blocked' in Submissions instead",
)
DOES_NOT_ALLOW = (
    "malware or high-confidence phishing (always quarantined)",
    "any other address at these domains, or mail that fails DMARC",
    "a message whose Authentication-Results (any of them, including the one Exchange Online adds) "
    "shows a DMARC result other than pass: a forged 'dmarc=pass' header cannot hide the real one",
    "IP entries unless --include-ip-allowlist; never ranges wider than one address (/32)",
)


class ExchangeOnlineSnippet(FilterSnippet):
    """Microsoft 365 / Exchange Online Protection."""

    kind = "microsoft365"
    product = "Microsoft 365 / Exchange Online Protection (Exchange Online PowerShell V3)"
    extension = "ps1"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        name = f"mailcheck {context.slug()}: DMARC-authenticated sender, bypass spam filtering"
        rule = transport_rule(
            name, context.addresses, context.domains, _comment(context), self.product
        )
        body = Body(
            risk=Risk.LOW,
            risk_reason="address-level entries honoured only when DMARC passes",
            allows=(
                f"Mail with From: {', '.join(context.addresses)} is not treated as spam, bulk or "
                "(normal-confidence) phishing, and only when it passes email authentication "
                "(TABL) and DMARC for the From domain (mail flow rule)",
            ),
            does_not_allow=DOES_NOT_ALLOW,
            where="Exchange Online PowerShell (Connect-ExchangeOnline) as an Exchange admin",
            prerequisites=PREREQUISITES,
            undo=(
                "Remove-TenantAllowBlockListItems -ListType Sender -Entries "
                + ps_list(context.addresses),
                f"Remove-TransportRule -Identity {ps_quote(name)}",
            ),
            parts=(
                SnippetPart("Exchange Online PowerShell: Tenant Allow/Block List", _tabl(context)),
                SnippetPart(
                    "Exchange Online PowerShell: mail flow rule (starts in Audit mode)",
                    rule + f"# after checking message trace: Set-TransportRule {ps_quote(name)} "
                    "-Mode Enforce\n",
                ),
            ),
            notes=_ipv6_note(context),
            then=(
                "The rule starts in Audit mode: after checking message trace, switch it to "
                "Enforce: "
                f"Set-TransportRule {ps_quote(name)} -Mode Enforce",
            ),
        )
        return _with_ip_allow_list(body, context) if context.hosts else body


def _with_ip_allow_list(body: Body, context: SnippetContext) -> Body:
    entries = ps_list(host_cidr(h) for h in context.ipv4_hosts)
    return add_ip_entries(
        body,
        context,
        SnippetPart("Exchange Online PowerShell: IP Allow List (opt-in)", _ip_allow_list(context)),
        "Any mail from the listed IPv4 addresses skips spam filtering AND SPF/DKIM/DMARC "
        "evaluation (IP Allow List: IPV:CAL)",
        f"Set-HostedConnectionFilterPolicy -Identity Default -IPAllowList @{{Remove={entries}}}"
        if context.ipv4_hosts
        else "",
    )


def _comment(context: SnippetContext) -> str:
    date = context.options.review_date
    review = f"review by {date.isoformat()}" if date else "no review date set"
    return f"Generated by mailcheck from profile {context.slug()}; {review}"


def _tabl(context: SnippetContext) -> str:
    if len(context.addresses) > TABL_ALLOW_CAP:
        raise SnippetError(
            f"Microsoft 365: {len(context.addresses)} sender allow entries exceed the "
            f"Tenant Allow/Block List cap of {TABL_ALLOW_CAP}"
        )
    lines = []
    for start in range(0, len(context.addresses), TABL_BATCH):
        batch = context.addresses[start : start + TABL_BATCH]
        lines.append(
            f"New-TenantAllowBlockListItems -ListType Sender -Allow -Entries {ps_list(batch)} "
            f"-RemoveAfter 45 -Notes {ps_quote('mailcheck ' + context.slug())}\n"
        )
    return "".join(lines)


def _ip_allow_list(context: SnippetContext) -> str:
    hosts = context.ipv4_hosts  # the IP Allow List takes no IPv6
    if not hosts:
        return "# no documented IPv4 address: nothing to add (IPv6 is not supported here)\n"
    if len(hosts) > IP_ALLOW_LIST_CAP:
        raise SnippetError(
            f"Microsoft 365: {len(hosts)} IPs exceed the IP Allow List cap of {IP_ALLOW_LIST_CAP}"
        )
    entries = ps_list(host_cidr(h) for h in hosts)  # each exactly one address: never widened
    return f"Set-HostedConnectionFilterPolicy -Identity Default -IPAllowList @{{Add={entries}}}\n"


def _ipv6_note(context: SnippetContext) -> tuple[str, ...]:
    skipped = [str(h) for h in context.hosts if h.version == 6]
    if not skipped:
        return ()
    return (f"Not emitted: IPv6 {', '.join(skipped)} (the IP Allow List takes IPv4 only)",)
