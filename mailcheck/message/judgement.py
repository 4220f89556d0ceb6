"""Vendor verdicts, the sender profile, and the one-sentence answer for one message.

The sentence names the filter whose verdict put the message in junk and the snippet filter
that would deliver it, unless authentication failed: then no allowlist should (DMARC failed:
it may be a forgery).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from mailcheck.base.idn import display_address
from mailcheck.base.model import Finding, Status
from mailcheck.message.facts import MessageFacts
from mailcheck.message.fixes import fix_phrase
from mailcheck.message.org import within
from mailcheck.message.verdicts import HARMFUL, Disposition, Verdict
from mailcheck.rulefiles.profiles import SenderProfile, SourceNetwork

# the most specific reason first: bulk explains why a message was marked spam
_PRIORITY = (Disposition.PHISH, Disposition.SPOOF, Disposition.BULK, Disposition.SPAM)
# outcome stamps (where it was delivered, the SCL copy) say less than the filter's own reason
_HEADER_RANK = {
    "X-Microsoft-Antispam": 0,  # BCL: the reason Microsoft names for bulk
    "X-Microsoft-Antispam-Mailbox-Delivery": 2,
    "X-MS-Exchange-Organization-SCL": 2,
}


@dataclass(frozen=True)
class ProfileMatch:
    """How the message relates to the sender profile."""

    from_sender: str | None  # the profile sender entry the From address falls under
    return_path_ok: bool
    entry_network: SourceNetwork | None
    dkim_domains: tuple[str, ...]  # passing, From-aligned DKIM d= that belong to the profile


def verdict_findings(facts: MessageFacts) -> list[Finding]:
    """One finding per decoded vendor verdict, and the raw unknown ones."""
    out: list[Finding] = []
    for v in facts.verdicts[:30]:
        evidence = (f"{v.header}: {v.raw[:500]}",) + tuple(f"{k}: {m}" for k, m in v.details[:12])
        evidence += (f"trust decided by: {v.trust_rule}",) if v.trust_rule else ()
        if v.outside:
            out.append(
                Finding(
                    "MSG019",
                    Status.INFO,
                    f"{v.vendor}: {v.summary} (written before "
                    "the message entered the organisation: the sender's own filter "
                    "or a forgery, not used)",
                    subject=v.vendor,
                    evidence=evidence,
                )
            )
        elif v.vendor == "unknown":
            out.append(
                Finding(
                    "MSG020",
                    Status.INFO,
                    f"{v.header}: {v.raw[:200]}",
                    subject=v.header,
                    evidence=(v.raw[:1000],),
                )
            )
        elif v.disposition in HARMFUL:
            out.append(
                Finding(
                    "MSG018",
                    Status.FAIL,
                    f"{v.vendor} marked it {v.disposition.value}: {v.summary}",
                    subject=v.vendor,
                    evidence=evidence,
                )
            )
        else:
            out.append(
                Finding(
                    "MSG019",
                    Status.INFO,
                    f"{v.vendor}: {v.summary}",
                    subject=v.vendor,
                    evidence=evidence,
                )
            )
    return out


def match_profile(facts: MessageFacts, profile: SenderProfile) -> ProfileMatch:
    """Compare the message's identities, entry IP and DKIM domains with the profile."""
    ident = facts.identity
    sender = profile.match_address(ident.from_address) if ident.from_address else None
    envelope = profile.envelope_domains + profile.sender_domains
    rp_ok = bool(ident.mail_from_domain) and any(
        within(ident.mail_from_domain or "", d) for d in envelope
    )
    entry = facts.chain.entry_hop
    network = _network_of(entry.from_ip if entry else None, profile)
    profile_domains = profile.dkim_domains + profile.sender_domains
    aligned = facts.dmarc.dkim_aligned_domains if facts.dmarc else ()
    dkim = tuple(d for d in aligned if any(within(d, p) for p in profile_domains))
    return ProfileMatch(sender.address if sender else None, rp_ok, network, dkim)


def _network_of(ip_text: str | None, profile: SenderProfile) -> SourceNetwork | None:
    try:
        ip = ipaddress.ip_address(ip_text or "")
    except ValueError:
        return None
    hits = [n for n in profile.networks if n.network.version == ip.version and ip in n.network]
    hits.sort(key=lambda n: (not n.documented, n.network.num_addresses))
    return hits[0] if hits else None


def profile_findings(
    facts: MessageFacts, match: ProfileMatch, profile: SenderProfile
) -> list[Finding]:
    """MSG021-MSG023: sender, source IP and DKIM domain against the profile."""
    out = _sender_findings(facts, match, profile.name)
    out += _network_findings(facts, match, profile.name)
    status = Status.PASS if match.dkim_domains else Status.WARN
    text = (
        f"DKIM d={', '.join(match.dkim_domains)} passes and aligns with From"
        if match.dkim_domains
        else f"No passing, From-aligned DKIM signature of a {profile.name} domain"
    )
    out.append(Finding("MSG023", status, text))
    return out


def _sender_findings(facts: MessageFacts, match: ProfileMatch, name: str) -> list[Finding]:
    ident = facts.identity
    subject = ident.from_address or ""
    if match.from_sender:
        documented = display_address(match.from_sender)
        text = f"From {display_address(subject)} is a {name} sender ({documented})"
        if _is_case_only_match(ident.from_written, match.from_sender):
            text = (
                f"From {ident.from_written} matched {documented} "
                f"case-insensitively, as the profile allows: a {name} sender (RFC 5321 §2.4: "
                "only the sender's own server may treat the local part as case-sensitive)"
            )
        out = [Finding("MSG021", Status.PASS, text, subject=subject)]
    else:
        out = [
            Finding(
                "MSG021",
                Status.WARN,
                f"From {subject or '(none)'} is not a documented {name} sender",
                subject=subject,
            )
        ]
    if ident.return_path and not match.return_path_ok:
        out.append(
            Finding(
                "MSG021",
                Status.INFO,
                f"Return-Path {ident.return_path} is outside the profile's envelope domains",
                subject=ident.return_path,
            )
        )
    return out


def _is_case_only_match(written: str, documented: str) -> bool:
    """True when the From matched the profile only by ignoring letter case."""
    written = written.strip()
    return written != documented and written.lower() == documented


def _network_findings(facts: MessageFacts, match: ProfileMatch, name: str) -> list[Finding]:
    entry = facts.chain.entry_hop
    ip = entry.from_ip if entry else None
    net = match.entry_network
    if net is not None and net.documented:
        return [
            Finding(
                "MSG022",
                Status.PASS,
                f"Entered from {ip}, a documented {name} source ({net.network})",
                subject=ip or "",
            )
        ]
    if net is not None:
        return [
            Finding(
                "MSG022",
                Status.WARN,
                f"Entered from {ip}, inside {net.network} "
                f"({net.label or 'undocumented'}) but not a documented address",
                subject=ip or "",
            )
        ]
    if ip:
        return [
            Finding(
                "MSG022",
                Status.INFO,
                f"Entered from {ip}, not a {name} source IP in the profile",
                subject=ip,
            )
        ]
    return []


def verdict_sentence(facts: MessageFacts, match: ProfileMatch | None, profile_name: str) -> Finding:
    """MSG001: why it landed where it did, and the smallest fix (or why there is none)."""
    harmful = _main_verdict(facts)
    marked = f"{harmful.vendor} marked it {_what(harmful)}; " if harmful else ""
    dmarc, _source = effective_dmarc(facts)
    if dmarc == "fail":
        return Finding("MSG001", Status.FAIL, _sentence(marked + _forgery(facts)))
    if match is not None and match.from_sender is None:
        text = (
            f"{marked}the From address {facts.identity.from_address or '(none)'} is not a "
            f"{profile_name} sender, so the {profile_name} snippets do not cover it"
        )
        return Finding("MSG001", Status.WARN if harmful else Status.INFO, _sentence(text))
    auth = _auth_phrase(facts)
    if harmful is None:
        return Finding("MSG001", Status.PASS, _sentence(_no_verdict(facts, auth)))
    return Finding(
        "MSG001",
        Status.FAIL,
        _sentence(f"{marked}{auth}; {fix_phrase(harmful, _org_filter(facts))}"),
    )


def _forgery(facts: MessageFacts) -> str:
    """DMARC failed: no allowlist. An intact ARC chain may say a forwarder broke it."""
    ours = facts.dmarc
    policy = f"policy {ours.policy}" if ours and ours.policy else "as the receiver recorded"
    text = (
        f"DMARC failed for {facts.identity.from_domain} ({policy}): this may be a forgery, "
        "so no allowlist should let it through"
    )
    first = facts.arc.sets[0] if facts.arc.sets else None
    if facts.arc_validation is None or facts.arc_validation.result != "pass" or first is None:
        return text
    if first.results is not None and any(
        r.result == "pass" for r in first.results.by_method("dmarc")
    ):
        text += (
            f" (the ARC chain, first sealed by {first.sealer}, says DMARC passed before a "
            "forwarder changed the message: only a trusted-ARC-sealer setting should accept it)"
        )
    return text


def _org_filter(facts: MessageFacts) -> str:
    return facts.org.provider.id if facts.org.provider else ""


def _main_verdict(facts: MessageFacts) -> Verdict | None:
    harmful = [v for v in facts.verdicts if v.disposition in HARMFUL and not v.outside]
    provider = _org_filter(facts)
    harmful.sort(
        key=lambda v: (
            not provider.startswith(v.filter) or not v.filter,
            _PRIORITY.index(v.disposition),
            _HEADER_RANK.get(v.header, 1),
        )
    )
    return harmful[0] if harmful else None


def _what(verdict: Verdict) -> str:
    return f"{verdict.disposition.value} ({verdict.summary.split(' → ')[0]})"


def effective_dmarc(facts: MessageFacts) -> tuple[str, str]:
    """Our DMARC result, or the org receiver's trusted one when ours could not be computed."""
    ours = facts.dmarc
    if ours is not None and ours.result in ("pass", "fail", "none"):
        policy = f"policy {ours.policy}" if ours.policy else "no policy"
        return ours.result, f"{policy}; {ours.explanation}"
    theirs = facts.receiver_results.get("dmarc")
    if theirs is not None:
        return theirs, "as recorded by the organisation's receiver"
    return "unknown", ""


def _auth_phrase(facts: MessageFacts) -> str:
    dmarc, _source = effective_dmarc(facts)
    if dmarc == "pass":
        return "authentication passed"
    if dmarc == "none":
        return "the From domain has no DMARC policy, so authentication cannot prove the sender"
    return "authentication could not be confirmed (see the DKIM and SPF findings)"


def _no_verdict(facts: MessageFacts, auth: str) -> str:
    decoded = [v for v in facts.verdicts if v.vendor != "unknown" and not v.outside]
    if not decoded:
        return (
            f"no filter verdict header is present; {auth}; if it landed in junk, look at "
            "the filter's own log (message trace) for the reason"
        )
    names = ", ".join(sorted({v.vendor for v in decoded}))
    return (
        f"no filter verdict marks it as junk ({names}); {auth}; if it still landed in junk, "
        "the cause is after these headers (mailbox rules or the user's junk settings)"
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
