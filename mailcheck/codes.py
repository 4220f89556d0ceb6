"""The one table of finding codes. A code is stable once released; a test fails on any code
that is emitted but not listed here, and README's table is generated from this one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeInfo:
    """What a finding code means and what to do about it."""

    title: str
    meaning: str


CODES: dict[str, CodeInfo] = {
    "MX001": CodeInfo("MX hosts found", "The domain publishes MX records whose hosts all resolve."),
    "MX002": CodeInfo(
        "Null MX", "The domain publishes a null MX (RFC 7505): it accepts no mail at all."
    ),
    "MX003": CodeInfo(
        "No MX, implicit MX",
        "No MX records; senders fall back to the domain's own "
        "A/AAAA address (RFC 5321 §5.1). Works, but is fragile and often unintended.",
    ),
    "MX004": CodeInfo(
        "Domain cannot receive mail",
        "No MX records and no address: senders have nowhere to deliver.",
    ),
    "MX005": CodeInfo("Domain does not exist", "The domain does not exist in DNS (NXDOMAIN)."),
    "MX006": CodeInfo(
        "MX target is a CNAME",
        "An MX host name is an alias. RFC 2181 §10.3 forbids "
        "it; most senders cope, some refuse to deliver.",
    ),
    "MX007": CodeInfo(
        "MX host has no address",
        "An MX host name has no A or AAAA record; senders "
        "skip it (fail when no MX host is usable).",
    ),
    "MX008": CodeInfo(
        "MX target is an IP literal",
        "An MX record names an IP address instead of a "
        "host name; RFC 5321 requires a name, and senders look it up as one and fail.",
    ),
    "MX009": CodeInfo(
        "MX lookup incomplete",
        "A lookup needed for the MX check timed out or the "
        "server failed; the check could not decide. This is not a missing record.",
    ),
    "MX010": CodeInfo(
        "Null MX mixed with other MX",
        "A null MX must be the only MX record "
        "(RFC 7505 §3); mixed with others it is a misconfiguration.",
    ),
}


def markdown_table() -> str:
    """The code table as Markdown, for README (a test keeps README's copy current)."""
    rows = ["| code | title | meaning |", "| --- | --- | --- |"]
    rows += [
        f"| `{code}` | {info.title} | {info.meaning} |" for code, info in sorted(CODES.items())
    ]
    return "\n".join(rows) + "\n"
