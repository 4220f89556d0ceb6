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
    # message analysis (mailcheck analyze)
    "MSG001": CodeInfo(
        "Verdict",
        "The one-sentence answer: why the message landed where it did and the smallest fix, or why"
        " no allowlist should let it through.",
    ),
    "MSG002": CodeInfo(
        "Message damaged or truncated",
        "The header section is malformed or exceeded a safety limit; the analysis is partial.",
    ),
    "MSG003": CodeInfo(
        "Received chain", "The hops the message took, oldest first, with the delay at each hop."
    ),
    "MSG004": CodeInfo(
        "Entry hop",
        "Where the message entered the organisation: the first hop received from an outside IP.",
    ),
    "MSG005": CodeInfo(
        "Entry hop uncertain",
        "No --org-domain (or the chain never reached the org's hosts): the entry hop is a guess, "
        "so header trust is weaker.",
    ),
    "MSG006": CodeInfo(
        "Slow hop",
        "A hop took more than 10 minutes (greylisting, queueing or a filter delay), or clocks "
        "disagree.",
    ),
    "MSG007": CodeInfo(
        "Authentication-Results from outside",
        "An Authentication-Results field was already in the message when it entered the "
        "organisation; anyone can write one, so it is not trusted (RFC 8601 §5, §7.1).",
    ),
    "MSG008": CodeInfo(
        "Foreign authserv-id",
        "An Authentication-Results field inside the org names a service that is not the org's own "
        "receiver; it is shown but not trusted.",
    ),
    "MSG009": CodeInfo(
        "Receiver's authentication results",
        "What the organisation's own receiver recorded for SPF, DKIM, DMARC (and compauth).",
    ),
    "MSG010": CodeInfo(
        "ARC chain",
        "The message carries ARC sets (RFC 8617) from forwarders; shown, and flagged when the "
        "chain is structurally broken.",
    ),
    "MSG011": CodeInfo(
        "DKIM signature verifies", "A DKIM signature re-verified with the key published in DNS."
    ),
    "MSG012": CodeInfo(
        "DKIM signature fails",
        "A DKIM signature does not verify (changed in transit, or a bad or missing key).",
    ),
    "MSG013": CodeInfo(
        "No DKIM signature",
        "The message is not DKIM-signed, so only SPF can align for DMARC, and forwarding breaks "
        "it.",
    ),
    "MSG014": CodeInfo(
        "SPF result",
        "SPF for the entry IP and the Return-Path domain (re-evaluated, or the receiver's own "
        "result when no evaluator is available).",
    ),
    "MSG015": CodeInfo(
        "DMARC passes", "SPF or DKIM passed for a domain aligned with the From domain."
    ),
    "MSG016": CodeInfo(
        "DMARC fails",
        "Neither SPF nor DKIM passed aligned with the From domain: the message may be forged; "
        "allowlisting it would let forgeries through.",
    ),
    "MSG017": CodeInfo(
        "No DMARC policy",
        "The From domain publishes no DMARC record; receivers judge the message on reputation "
        "alone.",
    ),
    "MSG018": CodeInfo(
        "Filter marked it junk",
        "A vendor verdict header says spam, bulk, phishing or spoofing: this is why it landed in "
        "junk or quarantine.",
    ),
    "MSG019": CodeInfo(
        "Filter verdict", "A vendor verdict header decoded; it does not mark the message as junk."
    ),
    "MSG020": CodeInfo(
        "Unknown spam header", "An X-*Spam* header mailcheck does not decode, shown raw."
    ),
    "MSG021": CodeInfo(
        "Profile sender",
        "Whether the From / Return-Path address is one the sender profile documents.",
    ),
    "MSG022": CodeInfo(
        "Profile source IP", "Whether the message entered from an IP the sender profile documents."
    ),
    "MSG023": CodeInfo(
        "Profile DKIM domain",
        "Whether a passing DKIM signature's d= is the profile's domain and aligned with From.",
    ),
    "MSG024": CodeInfo(
        "Lookup failed during analysis",
        "A DNS lookup needed for the analysis timed out or failed; that part is unknown, not "
        "failed.",
    ),
}


def markdown_table() -> str:
    """The code table as Markdown, for README (a test keeps README's copy current)."""
    rows = ["| code | title | meaning |", "| --- | --- | --- |"]
    rows += [
        f"| `{code}` | {info.title} | {info.meaning} |" for code, info in sorted(CODES.items())
    ]
    return "\n".join(rows) + "\n"
