"""The one table of finding codes. A code is stable once released; a test fails on any code
that is emitted but not listed here, and README's table is generated from this one.

It also says whose a finding is to fix (``owner``): the receiving organisation's, the sender's,
or nobody's (information). Every code gets an owner from its prefix; ``OWNER_EXCEPTIONS``
names the codes whose prefix says otherwise, and a test keeps every prefix in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mailcheck.base.model import Finding, Status


class Owner(StrEnum):
    """Whose a finding is to act on; the value is the JSON spelling."""

    YOURS = "yours"  # the receiving organisation: MX, filter, the snippet to paste
    SENDER = "sender"  # the sender's published setup: SPF, DKIM, DMARC, PTR, blocklists
    INFORMATION = "information"  # nothing to fix: a pass, a fact, a note


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
    "MX011": CodeInfo(
        "MX address not reachable from the internet",
        "An MX host resolves to a private, loopback, link-local, CGNAT, unique-local or "
        "other special-purpose address (RFC 6890). Fails when no MX host has a public address.",
    ),
    "MX012": CodeInfo(
        "MX address is a documentation address",
        "An MX host resolves to a documentation range (RFC 5737, RFC 3849): example or test "
        "data, never a real mail server.",
    ),
    "MX013": CodeInfo(
        "MX host listed more than once",
        "The same host appears in several MX records; usually a half-finished change.",
    ),
    "MX014": CodeInfo(
        "MX hosts share a preference",
        "Several MX hosts have the same preference, so senders spread mail across them at "
        "random (RFC 5321 §5.1); each must accept the sender.",
    ),
    "MX015": CodeInfo(
        "MX IPv6 coverage",
        "Which MX hosts have AAAA records; senders that only have IPv6 need at least one.",
    ),
    "PRV001": CodeInfo(
        "Filtering provider identified",
        "The MX hosts belong to a known filtering service (rules/providers.toml); its "
        "allowlist snippet is listed first.",
    ),
    "PRV002": CodeInfo(
        "Mixed filtering providers",
        "The MX records point to more than one service (dual delivery or a migration); the "
        "sender must be allowed in each of them.",
    ),
    "PRV003": CodeInfo(
        "Self-hosted or unknown provider",
        "No provider signature matches the MX hosts: an own mail server or an unlisted service.",
    ),
    "PRV004": CodeInfo(
        "Provider lookup incomplete",
        "The MX lookup failed (timeout or server failure), so the provider is unknown.",
    ),
    "TLS001": CodeInfo(
        "MTA-STS enforced",
        "The domain publishes a valid MTA-STS policy in enforce mode and every MX host "
        "matches its mx: patterns (RFC 8461).",
    ),
    "TLS002": CodeInfo(
        "No MTA-STS",
        "No _mta-sts TXT record: senders may deliver without TLS or accept any certificate.",
    ),
    "TLS003": CodeInfo(
        "MTA-STS record invalid",
        "The _mta-sts TXT record is malformed or duplicated; senders assume there is no "
        "policy (RFC 8461 §3.1).",
    ),
    "TLS004": CodeInfo(
        "MTA-STS policy not fetchable",
        "The policy at https://mta-sts.<domain>/.well-known/mta-sts.txt could not be "
        "retrieved: no address, timeout, certificate not valid for the host, a redirect "
        "(never followed), a non-200 status or a non-text/plain type.",
    ),
    "TLS005": CodeInfo(
        "MTA-STS policy invalid",
        "The fetched policy does not parse: version, mode, max_age or mx lines are wrong or "
        "missing.",
    ),
    "TLS006": CodeInfo(
        "MX not covered by MTA-STS",
        "An MX host matches no mx: pattern of the policy; in enforce mode senders refuse to "
        "deliver to it.",
    ),
    "TLS007": CodeInfo(
        "MTA-STS not enforced",
        "The policy is in testing or none mode: failures are reported, mail is still delivered.",
    ),
    "TLS008": CodeInfo(
        "TLS lookup incomplete",
        "A lookup for MTA-STS, TLS-RPT or TLSA timed out or the server failed; not a missing "
        "record.",
    ),
    "TLS009": CodeInfo(
        "TLS-RPT published",
        "A valid _smtp._tls record names where TLS failure reports go (RFC 8460).",
    ),
    "TLS010": CodeInfo(
        "No TLS-RPT",
        "No _smtp._tls record: nobody hears about failed TLS deliveries.",
    ),
    "TLS011": CodeInfo(
        "TLS-RPT record invalid",
        "The _smtp._tls record is malformed, duplicated or has no usable rua= URI.",
    ),
    "TLS012": CodeInfo(
        "DANE TLSA published",
        "An MX host publishes usable TLSA records at _25._tcp.<host> (RFC 7672); DNSSEC is "
        "not verified here.",
    ),
    "TLS013": CodeInfo(
        "No DANE",
        "MX hosts without TLSA records: DANE is not used for them.",
    ),
    "TLS014": CodeInfo(
        "Unusable TLSA records",
        "TLSA records that are malformed or use PKIX usages (0, 1), which RFC 7672 §3.1.3 "
        "rules out for SMTP.",
    ),
    "TLS015": CodeInfo(
        "Certificate matches TLSA",
        "The certificate the probe saw matches a DANE-EE TLSA record of that MX host.",
    ),
    "TLS016": CodeInfo(
        "Certificate does not match TLSA",
        "The certificate the probe saw matches none of the host's DANE-EE TLSA records: DANE "
        "senders will not deliver.",
    ),
    "PRB001": CodeInfo(
        "Probe: sender accepted",
        "The MX host answered 2xx to MAIL FROM the profile sender and RCPT TO the recipient. "
        "Proves address-based policy only: the probe comes from your IP, not the sender's.",
    ),
    "PRB002": CodeInfo(
        "Probe: temporary refusal",
        "A 4xx reply (greylisting, rate limit): real senders retry, but time-critical mail "
        "such as verification codes is delayed.",
    ),
    "PRB003": CodeInfo(
        "Probe: blocked by policy",
        "A 5.7.x reply at MAIL FROM or RCPT TO: a sender or IP policy blocks this mail; "
        "allowlist the sender.",
    ),
    "PRB004": CodeInfo(
        "Probe: unknown recipient",
        "5.1.1 at RCPT TO: the probe recipient does not exist here; probe again with a real "
        "mailbox.",
    ),
    "PRB005": CodeInfo(
        "Probe: rejected",
        "A 5xx reply that is neither a policy block nor an unknown recipient (e.g. at the "
        "banner or EHLO).",
    ),
    "PRB006": CodeInfo(
        "Probe incomplete",
        "The MX host could not be probed: no connection, no answer in time, or no MX host "
        "with an address. Outbound port 25 is often blocked.",
    ),
    "PRB007": CodeInfo(
        "STARTTLS certificate does not verify",
        "STARTTLS works but the certificate does not verify for the MX name (self-signed, "
        "expired, wrong name, unknown CA). Not the same as missing STARTTLS.",
    ),
    "PRB008": CodeInfo(
        "No STARTTLS",
        "The MX host does not offer STARTTLS: mail to it travels unencrypted.",
    ),
    "PRB009": CodeInfo(
        "STARTTLS with a valid certificate",
        "The MX host offers STARTTLS and its certificate verifies for the MX name.",
    ),
    "PRB010": CodeInfo(
        "STARTTLS failed",
        "STARTTLS was offered but refused or the TLS handshake failed.",
    ),
    "PRB011": CodeInfo(
        "Probe limited",
        "Only the first N MX hosts were probed (--probe-max-mx).",
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
    "DMC015": CodeInfo(
        "DMARC record ignored",
        "A TXT record at _dmarc looks like DMARC but receivers discard it: v=DMARC1 miscased "
        "or not the first tag, or tags not separated by ';' (RFC 7489 §6.3). The finding "
        "says which.",
    ),
    "DMC016": CodeInfo(
        "DMARC report destination not authorised",
        "A rua/ruf address lies outside the policy domain's organisation and the destination "
        "publishes no <policy-domain>._report._dmarc.<destination> v=DMARC1 record (RFC 7489 "
        "§7.1): compliant receivers send it no reports.",
    ),
    "DMC017": CodeInfo(
        "DMARC report destination not checked",
        "The lookup of <policy-domain>._report._dmarc.<destination> failed; whether the "
        "destination accepts the reports is unknown.",
    ),
    "DMC018": CodeInfo(
        "DMARC report URI is not mailto:",
        "Receivers need only support mailto: report URIs; others may get no reports. Shown "
        "as text, never as a link.",
    ),
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
    "BL009": CodeInfo(
        "No blocklist could be used",
        "Every configured DNSBL failed its RFC 5782 self-test (offline, or a resolver that "
        "refuses, blocks or rewrites DNSBL queries): whether the sender IPs are listed was not "
        "checked. Informational: it leaves every other verdict as it is.",
    ),
    "SPF001": CodeInfo(
        "Sender SPF authorizes the listed IPs",
        "check_host() (RFC 7208) gives pass for every IP the profile lists, at this sender domain.",
    ),
    "SPF002": CodeInfo(
        "Listed IP not authorized by sender SPF",
        "The profile lists an IP that the sender's live SPF does not pass: mail from it fails "
        "SPF, so DMARC can pass only through DKIM.",
    ),
    "SPF003": CodeInfo(
        "SPF drift: live SPF authorizes unlisted ranges",
        "The sender's live SPF (include chain expanded) authorizes networks the profile does "
        "not list; the profile's IP list may be stale or narrower than the real senders.",
    ),
    "SPF004": CodeInfo(
        "Sender domain has no SPF",
        "The sender domain publishes no v=spf1 record: receivers get SPF none, and DMARC "
        "rests on DKIM alone.",
    ),
    "SPF005": CodeInfo(
        "SPF ends in +all",
        "The record passes every host on the internet: an SPF pass for this domain proves "
        "nothing, so never allow on it.",
    ),
    "SPF006": CodeInfo(
        "Sender SPF lookup incomplete",
        "A lookup needed to evaluate the sender's SPF timed out or the server failed "
        "(temperror); the check could not decide. This is not a missing record.",
    ),
    "SPF007": CodeInfo(
        "Sender SPF is broken (permerror)",
        "Several v=spf1 records, a syntax error, or more than 10 DNS lookups / 2 void "
        "lookups (RFC 7208 §4.6.4): receivers treat it as an SPF failure.",
    ),
    "SPF008": CodeInfo(
        "SPF parts depend on the message",
        "exists, ptr or macros cannot be expanded without a real message and client; the "
        "drift comparison leaves those parts out.",
    ),
    "SPF009": CodeInfo(
        "Sender SPF not checked", "No sender profile was given, so there is nothing to check."
    ),
    "SPF010": CodeInfo(
        "SPF ends in ?all",
        "Unlisted hosts get neutral instead of fail: the record does not tell receivers to "
        "reject forgeries.",
    ),
    "SPF011": CodeInfo(
        "Undocumented profile network versus live SPF",
        "A network the profile only hints at (documented = false) compared with the live "
        "SPF: inside an authorized range (informational) or not authorized at all (warning).",
    ),
    "SPF012": CodeInfo(
        "SPF fails before it reaches some terms",
        "For a client not matched earlier, check_host() stops with permerror at one term: the "
        "11th DNS-querying term, the 3rd void lookup (RFC 7208 §4.6.4), an include loop or an "
        "include/redirect of a broken record. Networks named only past it are not authorised.",
    ),
    "SPF013": CodeInfo(
        "SPF redirect= ignored",
        "The record has both an all term and redirect=; RFC 7208 §6.1 ignores the redirect, "
        "so whatever it points to never applies: a configuration error.",
    ),
    "SPF014": CodeInfo(
        "SPF record over 450 octets",
        "RFC 7208 §3.4: a record this long may not fit a UDP answer; receivers that cannot "
        "retry over TCP see no record.",
    ),
    "SPF015": CodeInfo(
        "Several v=spf1 records",
        "RFC 7208 §4.5: a permerror for every client. The finding shows one merged record "
        "(each term once) and its DNS-querying term count, and says when the merge itself "
        "exceeds 10.",
    ),
    "SPF016": CodeInfo(
        "SPF names IPv4-mapped IPv6 ranges",
        "An ip6 term (or an AAAA answer) in ::ffff:0:0/96 never matches: check_host() treats "
        "such a client as IPv4 (RFC 7208 §5). Publish the range as ip4.",
    ),
    "SHR001": CodeInfo(
        "Listed IP is shared infrastructure",
        "The IP is authorized by a shared sending service's own SPF (Amazon SES, Mailgun…): "
        "allowlisting it admits every customer of that service, not just this sender.",
    ),
    "SHR002": CodeInfo(
        "Listed IP not in a known shared service",
        "None of the shared sending services in rules/shared-infrastructure.toml authorizes "
        "the IP in its live SPF.",
    ),
    "SHR003": CodeInfo(
        "Shared-infrastructure check incomplete",
        "The SPF of one or more services could not be read (timeout, server failure), and the "
        "IP was not attributed to any other service: ownership is unknown.",
    ),
    "SHR004": CodeInfo(
        "Shared service SPF unusable",
        "A service's SPF include domain has no usable record or parts that cannot be "
        "expanded; rules/shared-infrastructure.toml may need updating.",
    ),
    "SHR005": CodeInfo(
        "Shared infrastructure not checked", "No sender profile was given: no IPs to check."
    ),
    "NET001": CodeInfo(
        "Profile network is a documentation range",
        "The profile lists a documentation network (192.0.2.0/24, 198.51.100.0/24, "
        "203.0.113.0/24, 2001:db8::/32, 3fff::/20): fine for labs and tests, never a real sender.",
    ),
    "NET002": CodeInfo(
        "Unsafe profile network loaded on request",
        "The profile lists a network no internet sender can own (private, loopback, "
        "link-local, CGNAT, multicast, reserved) or one wider than /16 (IPv4) or /32 (IPv6); "
        "it was loaded only because --allow-unsafe-networks was given.",
    ),
    "TLS017": CodeInfo(
        "MTA-STS policy not fetched",
        "The domain publishes an MTA-STS record, but the report replays a DNS snapshot, so "
        "the policy was not fetched over HTTPS.",
    ),
    "SNP001": CodeInfo(
        "No allowlist snippet possible",
        "The profile gives nothing a snippet may safely name (for example only *@domain "
        "wildcards, or an ESP's shared domain); the detail says why. Fix the profile.",
    ),
    # profile sources (provenance per entry)
    "SRC001": CodeInfo(
        "Profile sources recent",
        "The newest current page the profile cites is within the allowed age "
        "(--max-source-age, default 730 days).",
    ),
    "SRC002": CodeInfo(
        "Profile sources old",
        "The newest current page the profile cites is older than the allowed age: the vendor "
        "may have changed its senders since. Re-read the pages before approving an allowlist.",
    ),
    "SRC003": CodeInfo(
        "Profile sources undated",
        "No current page the profile cites states its own date; only retrieval dates are known.",
    ),
    "SRC004": CodeInfo(
        "Legacy entries known",
        "The profile knows entries only superseded pages list. They are never allowlisted; "
        "`mailcheck audit` flags them in an existing allowlist.",
    ),
    "SRC005": CodeInfo(
        "Inferred environment",
        "A sender's environment (e.g. staging) is guessed from its host name; no page states it.",
    ),
    # mailcheck audit: an existing allowlist against a profile
    "AUD001": CodeInfo(
        "Matches a documented entry",
        "The allowlist entry is exactly an entry a current page documents (the source is named).",
    ),
    "AUD002": CodeInfo(
        "Legacy entry: remove",
        "Only a superseded vendor page lists this entry; the vendor no longer documents it.",
    ),
    "AUD003": CodeInfo(
        "Shared infrastructure",
        "The IP or range belongs to a shared sending service's pool (from the service's live "
        "SPF): it admits every customer of that service.",
    ),
    "AUD004": CodeInfo(
        "Wider than documented",
        "The entry covers more than the vendor documents (a range where single addresses are "
        "documented, or a whole domain where exact addresses are).",
    ),
    "AUD005": CodeInfo(
        "Unauthenticated domain allow",
        "A domain, *@domain or address entry with no SPF/DKIM/DMARC condition: anyone can "
        "forge that sender and pass the allowlist.",
    ),
    "AUD006": CodeInfo(
        "Not related to this profile",
        "The entry names nothing of this vendor's; it is left alone.",
    ),
    "AUD007": CodeInfo(
        "Entry not understood",
        "A line of the allowlist file could not be read as an entry of its format.",
    ),
    # the run itself (mailcheck report)
    "RUN001": CodeInfo(
        "Lab domain",
        "The domain is under an RFC 6761 special-use name (.test, .invalid): accepted for lab "
        "runs against your own nameserver; nothing on the Internet can send to it.",
    ),
    "RUN002": CodeInfo(
        "Resolver looks broken",
        "The resolver answered NXDOMAIN or SERVFAIL for names that must exist (the root "
        "zone's SOA, a TLD's NS), so none of its answers is trusted: every check is "
        "'could not check'. Use another resolver (--nameserver).",
    ),
    # what changed (report --compare)
    "CHG001": CodeInfo(
        "Changed since the previous report",
        "A finding was added, resolved or changed status; a live SPF range was added or "
        "removed; the provider, MX or a snippet's text changed (snippets by SHA-256).",
    ),
    "CHG002": CodeInfo(
        "No change since the previous report",
        "The report --compare was given says the same: no finding, SPF range, provider, MX "
        "or snippet text changed.",
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
    "MSG025": CodeInfo(
        "Analysis stopped",
        "The analysis of this message crashed its worker process or ran over its CPU-time "
        "limit; this message is unknown, the rest of the run was analysed.",
    ),
}


# Whose a warning or failure is, by code prefix (the letters before the number).
OWNER_BY_PREFIX: dict[str, Owner] = {
    "MX": Owner.YOURS,
    "PRV": Owner.YOURS,
    "TLS": Owner.YOURS,
    "PRB": Owner.YOURS,
    "SNP": Owner.YOURS,
    "AUD": Owner.YOURS,  # entries in the allowlist you run
    "SRC": Owner.YOURS,  # the profile you approve: re-read its pages when they are old
    "NET": Owner.YOURS,  # networks you loaded into the profile (documentation or unsafe ranges)
    "RUN": Owner.YOURS,  # the run itself: a lab domain, a broken resolver
    "CHG": Owner.INFORMATION,
    "SPF": Owner.SENDER,
    "DMC": Owner.SENDER,
    "PTR": Owner.SENDER,
    "BL": Owner.SENDER,
    "SHR": Owner.SENDER,
    "MSG": Owner.INFORMATION,  # a message's story; the exceptions below are someone's to fix
}
OWNER_EXCEPTIONS: dict[str, Owner] = {
    "MSG005": Owner.YOURS,  # give --org-domain
    "MSG006": Owner.YOURS,  # a slow hop inside the organisation
    "MSG007": Owner.YOURS,  # the boundary does not strip outside Authentication-Results
    "MSG008": Owner.YOURS,
    "MSG018": Owner.YOURS,  # your filter junked it: the snippet is the fix
    "MSG012": Owner.SENDER,
    "MSG013": Owner.SENDER,
    "MSG014": Owner.SENDER,
    "MSG016": Owner.SENDER,
    "MSG017": Owner.SENDER,
}


def code_prefix(code: str) -> str:
    """The letters of a code: ``"BL"`` for ``"BL002"``."""
    return code.rstrip("0123456789")


def code_owner(code: str) -> Owner:
    """Whose a code's warnings and failures are (information for an unknown prefix)."""
    return OWNER_EXCEPTIONS.get(code) or OWNER_BY_PREFIX.get(code_prefix(code), Owner.INFORMATION)


def owner(finding: Finding) -> Owner:
    """Whose this finding is to act on. A pass or a note is information; a check that could
    not decide is yours (re-run it); a warning or failure belongs to its code's owner."""
    if finding.status in (Status.PASS, Status.INFO):
        return Owner.INFORMATION
    if finding.status is Status.ERROR:
        return Owner.YOURS
    return code_owner(finding.code)


def markdown_table() -> str:
    """The code table as Markdown, for README (a test keeps README's copy current)."""
    rows = ["| code | title | meaning |", "| --- | --- | --- |"]
    rows += [
        f"| `{code}` | {info.title} | {info.meaning} |" for code, info in sorted(CODES.items())
    ]
    return "\n".join(rows) + "\n"
