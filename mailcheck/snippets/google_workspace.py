"""Google Workspace (Gmail): click path and values for an approved-senders address list.

Google offers no write API for Gmail spam settings (Cloud Identity Policy API is read-only for
these), so this is instructions. The address list entries keep sender authentication required,
the default Google recommends keeping (support.google.com/a/answer/7381367; the exact label of
the opt-out box varies by console version). The "Email allowlist" of IPs also skips
SPF/DKIM/DMARC (CISA GWS.GMAIL.14.1: should not be used), so it is shown only on request.
"""

from __future__ import annotations

from dataclasses import replace

from mailcheck.base.errors import SnippetError
from mailcheck.snippets.base import Address, FilterSnippet, SnippetContext, add_ip_entries
from mailcheck.snippets.interface import Body, Risk, SnippetPart

LIST_CHARACTERS = 4000  # documented size of one approved-senders list, in characters
SPAM_SETTING = """\
Admin console > Apps > Google Workspace > Gmail > Spam, Phishing and Malware
  (select the top-level organizational unit, or the OU that receives this mail)
  > Spam > Configure (or Edit)
    [x] Bypass spam filters for messages from senders or domains in selected lists
    [ ] Bypass spam filters and hide warnings ... (leave unticked)
    [ ] Bypass spam filters for messages received from internal senders (leave unticked)
"""
ENTRY = (
    "      {address}    [sender authentication REQUIRED: leave "
    "'Do not require sender authentication' unticked]\n"
)


class GoogleWorkspaceSnippet(FilterSnippet):
    """Google Workspace Gmail spam setting with an approved senders address list."""

    kind = "google-workspace"
    product = "Google Workspace Gmail (Admin console, 2026 layout)"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        list_name = f"mailcheck-{context.slug()}"
        if sum(len(a) + 1 for a in context.addresses) > LIST_CHARACTERS:
            raise SnippetError(f"Google Workspace: addresses exceed {LIST_CHARACTERS} characters")
        steps = (
            SPAM_SETTING
            + f"    Use existing or create a new list > Create new list: {list_name}\n"
            + "    Edit > Add, one entry per address, exactly:\n"
            + "".join(ENTRY.format(address=a) for a in context.addresses)
            + f"  Description: mailcheck {context.slug()} - {context.review_line()}\n  Save\n"
        )
        body = Body(
            risk=Risk.LOW,
            risk_reason="exact addresses, and Gmail requires SPF or DKIM to pass for the entry "
            "to apply; the sender's DMARC policy is still enforced",
            allows=(
                f"Mail with From: {', '.join(context.addresses)} that passes sender "
                "authentication bypasses Gmail's spam filter for the organizational unit",
            ),
            does_not_allow=(
                "domains or other addresses; mail failing sender authentication",
                "virus and attachment protections (always applied)",
            ),
            where="Google Admin console, as a super administrator",
            prerequisites=(
                "Gmail as the MX, or an inbound gateway configured in Gmail so it sees the "
                "real connecting IP",
            ),
            undo=(
                f"Admin console > Gmail > Spam: remove the list {list_name} from the setting "
                "and delete the list",
            ),
            parts=(SnippetPart("Google Admin console (no API: follow these clicks)", steps),),
        )
        public = tuple(h for h in context.hosts if h.is_global)
        if len(public) < len(context.hosts):  # the Email allowlist takes public IPs only
            skipped = ", ".join(str(h) for h in context.hosts if not h.is_global)
            body = replace(body, notes=(f"Not emitted: non-public IPs {skipped}",))
        return _with_email_allowlist(body, context, public) if public else body


def _with_email_allowlist(body: Body, context: SnippetContext, public: tuple[Address, ...]) -> Body:
    ips = ", ".join(str(h) for h in public)
    steps = (
        "Admin console > Apps > Google Workspace > Gmail > Spam, Phishing and Malware\n"
        f"  > Email allowlist > enter: {ips}\n  Save (takes up to 24 hours)\n"
    )
    return add_ip_entries(
        body,
        context,
        SnippetPart("Google Admin console: Email allowlist (opt-in, top-level OU only)", steps),
        "Any mail from the listed IPs is treated as not spam and is exempt from SPF/DKIM/DMARC "
        "checks (Email allowlist)",
        "Gmail > Email allowlist: remove the IPs above",
    )
