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
    # Sender DMARC (RFC 9989).
    "DMC001": CodeInfo(
        "Sender DMARC policy enforced",
        "The sender domain's DMARC policy (found by the RFC 9989 DNS Tree Walk) is quarantine "
        "or reject: spoofed mail from it fails, so a domain-based allowlist is safer.",
    ),
    "DMC002": CodeInfo(
        "No DMARC policy",
        "No DMARC record at the sender domain or any parent: receivers apply no DMARC and "
        "the From domain can be spoofed.",
    ),
    "DMC003": CodeInfo(
        "DMARC lookup incomplete",
        "A DMARC lookup timed out or failed; the policy, Organizational Domain or alignment "
        "could not be decided. This is not 'no policy'.",
    ),
    "DMC004": CodeInfo(
        "DMARC record syntax errors",
        "Some tags have invalid values; RFC 9989 §5.3 makes receivers ignore them and use "
        "defaults, which may not be what the domain owner meant.",
    ),
    "DMC005": CodeInfo(
        "RFC 7489 reading differs",
        "The record uses removed tags (pct, ri, rf), omits p, orders tags or uses syntax "
        "that RFC 7489 receivers read differently from RFC 9989 (e.g. pct=0 meant 'do not "
        "apply').",
    ),
    "DMC006": CodeInfo(
        "DMARC record unusable",
        "A p, sp or np tag has an invalid value and rua has no valid URI: receivers apply no "
        "DMARC at all (RFC 9989 §4.10.1).",
    ),
    "DMC007": CodeInfo(
        "DMARC policy none",
        "The applicable policy is p=none (monitoring): failing mail is delivered as usual.",
    ),
    "DMC008": CodeInfo(
        "DMARC test mode",
        "t=y: receivers are asked not to apply the policy (RFC 9989's replacement for pct=0).",
    ),
    "DMC009": CodeInfo(
        "Multiple DMARC records",
        "More than one DMARC record at one name: all are discarded (RFC 9989 §4.10).",
    ),
    "DMC010": CodeInfo(
        "Invalid DMARC record ignored",
        "A v=DMARC1 record that is invalid as a whole (e.g. a duplicate tag) is ignored.",
    ),
    "DMC011": CodeInfo(
        "DMARC can pass via SPF",
        "A documented envelope (RFC5321.MailFrom) domain aligns with the From domain, so an "
        "SPF pass also passes DMARC.",
    ),
    "DMC012": CodeInfo(
        "DMARC only via DKIM",
        "The documented envelope domains do not align with the From domain: SPF cannot give "
        "DMARC a pass, so delivery rests on the DKIM signature alone.",
    ),
    "DMC013": CodeInfo(
        "Envelope domain unknown",
        "The profile documents no envelope domain, so SPF alignment cannot be assumed; DMARC "
        "may rest on DKIM alone.",
    ),
    "DMC014": CodeInfo("Sender DMARC not checked", "No sender profile was given."),
    # Reverse DNS.
    "PTR001": CodeInfo(
        "FCrDNS confirmed",
        "The IP has a PTR whose name resolves back to the same IP (forward-confirmed rDNS).",
    ),
    "PTR002": CodeInfo(
        "No PTR", "The IP has no PTR record; many filters penalise or refuse such senders."
    ),
    "PTR003": CodeInfo(
        "PTR not forward-confirmed",
        "The PTR name does not resolve back to the IP; filters checking FCrDNS (iprev) treat "
        "this as a failure.",
    ),
    "PTR004": CodeInfo(
        "PTR lookup incomplete",
        "A PTR or forward lookup timed out or failed; this is not a missing PTR.",
    ),
    "PTR005": CodeInfo("Reverse DNS not checked", "No sender profile was given."),
    # DNS blocklists.
    "BL001": CodeInfo(
        "Not listed", "The IP is not listed on any DNSBL that passed its RFC 5782 self-test."
    ),
    "BL002": CodeInfo(
        "Listed on a DNSBL",
        "The IP is listed; filters using the list may refuse the mail. For a shared sending "
        "service's IP, it is the service's problem to raise with the vendor, not a reason to "
        "allowlist the IP.",
    ),
    "BL003": CodeInfo(
        "DNSBL refused the query",
        "The list answered with a refusal code (Spamhaus 127.255.255.x: typo, public/open "
        "resolver, excessive queries). Not a listing; the check could not decide.",
    ),
    "BL004": CodeInfo(
        "Answer outside 127.0.0.0/8",
        "A resolver rewrote the DNSBL answer (captive portal, NXDOMAIN redirect, DNS filter). "
        "Not a listing; the check could not decide.",
    ),
    "BL005": CodeInfo(
        "DNSBL failed self-test",
        "The list did not list 127.0.0.2 or did list 127.0.0.1 (RFC 5782 §5): its answers "
        "are not trusted and no IP was checked on it.",
    ),
    "BL006": CodeInfo(
        "DNSBL lookup incomplete", "A DNSBL lookup timed out or failed; neither listed nor clear."
    ),
    "BL007": CodeInfo(
        "DNSBL has no IPv6 data", "The list holds IPv4 data only; an IPv6 address was skipped."
    ),
    "BL008": CodeInfo("DNSBLs not checked", "No sender profile was given."),
}


def markdown_table() -> str:
    """The code table as Markdown, for README (a test keeps README's copy current)."""
    rows = ["| code | title | meaning |", "| --- | --- | --- |"]
    rows += [
        f"| `{code}` | {info.title} | {info.meaning} |" for code, info in sorted(CODES.items())
    ]
    return "\n".join(rows) + "\n"
