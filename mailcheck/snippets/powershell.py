"""PowerShell quoting and the Exchange transport-rule pieces shared by the two Exchange snippets.

Values go into single-quoted strings, where PowerShell expands nothing; the only special
characters are the single quote and its typographic look-alikes, which PowerShell also treats
as quotes (about_Quoting_Rules), so each is doubled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mailcheck.snippets.base import require_plain_domain

_QUOTES = "'\u2018\u2019\u201a\u201b"


def ps_quote(value: str) -> str:
    """A PowerShell single-quoted string literal of ``value`` (nothing in it is expanded)."""
    if any(ch in value for ch in "\r\n\x00"):
        raise ValueError("a PowerShell literal cannot carry line breaks or NUL here")
    return "'" + "".join(ch * 2 if ch in _QUOTES else ch for ch in value) + "'"


def ps_list(values: Iterable[str]) -> str:
    """Comma-separated single-quoted literals."""
    return ",".join(ps_quote(v) for v in values)


def dmarc_pattern(domains: Iterable[str], product: str) -> str:
    """A .NET regex for an Authentication-Results ``dmarc=pass`` bound to the From domains."""
    escaped = [re.escape(require_plain_domain(d, product)) for d in domains]
    alternatives = escaped[0] if len(escaped) == 1 else "(?:" + "|".join(escaped) + ")"
    return rf"dmarc=pass[^;]*\bheader\.from={alternatives}(?:[\s;]|$)"


# Any DMARC result but pass, in ANY Authentication-Results header. Exchange Online always adds its
# own (without an authserv-id a sender could imitate), so a forged "dmarc=pass" header cannot
# hide the real result: the rule's exception fires on the real one. Exchange rule patterns have
# no lookahead, hence the list.
DMARC_NOT_PASS = r"\bdmarc=(?:fail|none|temperror|permerror|bestguesspass|softfail)\b"


def address_patterns(addresses: Iterable[str]) -> list[str]:
    """Anchored .NET regexes matching exactly each address (``-From`` takes directory
    recipients, so an external address is matched as text instead)."""
    return [f"^{re.escape(a)}$" for a in addresses]


def transport_rule(
    name: str, addresses: tuple[str, ...], domains: tuple[str, ...], comment: str, product: str
) -> str:
    """``New-TransportRule`` that sets SCL -1 only for the addresses with a DMARC pass, and
    never when any Authentication-Results header shows another DMARC result."""
    return (
        f"New-TransportRule -Name {ps_quote(name)} `\n"
        f"  -FromAddressMatchesPatterns {ps_list(address_patterns(addresses))} `\n"
        f"  -SenderDomainIs {ps_list(domains)} `\n"
        "  -HeaderMatchesMessageHeader 'Authentication-Results' `\n"
        f"  -HeaderMatchesPatterns {ps_quote(dmarc_pattern(domains, product))} `\n"
        "  -ExceptIfHeaderMatchesMessageHeader 'Authentication-Results' `\n"
        f"  -ExceptIfHeaderMatchesPatterns {ps_quote(DMARC_NOT_PASS)} `\n"
        "  -SetSCL -1 `\n"
        "  -SetHeaderName 'X-Mailcheck-Allowlist' `\n"
        f"  -SetHeaderValue {ps_quote(name)} `\n"
        f"  -Comments {ps_quote(comment)} `\n"
        "  -Mode Audit\n"
    )
