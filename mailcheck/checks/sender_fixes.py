"""What the sender's postmaster should change in DNS, built from the sender checks' facts (pure).

Each fix stands alone, so a mail admin can forward it to the vendor: the problem, the RFC
clause, the exact record to publish (when one can be written without guessing) and what it
changes for receivers. Nothing here mentions the admin's own domain or filters.
"""

from __future__ import annotations

import ipaddress
import re

from mailcheck.base.idn import display_domain
from mailcheck.checks.sender_dmarc_reports import corrected_record, ignored_reason
from mailcheck.facts.sender_dmarc import DomainDmarc
from mailcheck.facts.sender_fixes import SenderFix
from mailcheck.facts.sender_spf import DomainSpf
from mailcheck.protocols.dmarc.walk import StepState
from mailcheck.protocols.spf.lookups import MAX_DNS_LOOKUPS
from mailcheck.protocols.spf.reach import MAPPED
from mailcheck.rulefiles.values import unmap_network


def spf_fixes(spf: DomainSpf) -> list[SenderFix]:
    """Fixes for one sender domain's SPF record (see ``sender_spf_record``)."""
    fixes = _limit_fix(spf) + _redirect_fixes(spf)
    shape, shown = spf.shape, display_domain(spf.domain)
    for name, octets, _split in shape.long_records:
        fixes.append(
            SenderFix(
                "SPF014",
                spf.domain,
                f"The SPF record of {display_domain(name)} is {octets} octets. Over 450 the DNS "
                "answer may not fit in UDP, and receivers that cannot retry over TCP see no "
                "SPF record at all.",
                "RFC 7208 §3.4",
                "Shorten it: merge ip4:/ip6: terms into covering ranges, or move part of it "
                "into a record you include.",
                effect="Every receiver can read the record in one UDP answer.",
            )
        )
    if shape.candidates:
        fixes.append(_merge_fix(spf, shown))
    return fixes + _mapped_fix(spf)


def _mapped_fix(spf: DomainSpf) -> list[SenderFix]:
    """ip6 terms in the IPv4-mapped range, rewritten as the ip4 terms they meant."""
    mapped = [u for u in spf.shape.unreachable if u.reason == MAPPED]
    if not mapped:
        return []
    rewrite: dict[str, str] = {}
    for u in mapped:
        owner, _, term = u.via[-1].partition(": ")
        network = unmap_network(ipaddress.ip_network(u.network))  # already IPv4 from the check
        if len(u.via) == 1 and owner == spf.domain:  # a term of the record itself
            rewrite[term] = f"{term[: len(term) - len(term.lstrip('+-~?'))]}ip4:{network}"
    record = ""
    if len(rewrite) == len(mapped):
        record = " ".join(rewrite.get(t, t) for t in spf.record.split(" ") if t)
    terms = ", ".join(dict.fromkeys(u.via[-1] for u in mapped))
    return [
        SenderFix(
            "SPF016",
            spf.domain,
            f"The SPF record of {display_domain(spf.domain)} names IPv4-mapped IPv6 ranges "
            f"({terms}). Receivers treat such a client as IPv4, so these terms never match.",
            "RFC 7208 §5",
            "Publish the ranges as ip4: terms:" if record else "Publish the ranges as ip4: terms.",
            spf.domain if record else "",
            record,
            "Hosts in those ranges pass SPF; today they do not.",
        )
    ]


def _limit_fix(spf: DomainSpf) -> list[SenderFix]:
    shape = spf.shape
    if not shape.cut:
        return []
    problem = (
        f"Receivers evaluating the SPF record of {display_domain(spf.domain)} stop with "
        f"permerror at {shape.cut} ({shape.cut_reason}). Any host that the record names only "
        "after that point fails SPF."
    )
    effect = f"Receivers evaluate the whole record again: hosts past {shape.cut} pass SPF."
    if shape.flattened:
        action = (
            "Publish this record instead: the same hosts, with the included records replaced "
            "by their addresses (no DNS-querying terms). Refresh it whenever an included "
            "provider changes its ranges."
        )
        return [
            SenderFix(
                "SPF012",
                spf.domain,
                problem,
                "RFC 7208 §4.6.4",
                action,
                spf.domain,
                shape.flattened,
                effect,
            )
        ]
    action = (
        f"Remove includes you no longer use, or replace them with ip4:/ip6: terms, until the "
        f"record needs at most {MAX_DNS_LOOKUPS} DNS-querying terms and 2 void lookups."
    )
    return [SenderFix("SPF012", spf.domain, problem, "RFC 7208 §4.6.4", action, effect=effect)]


def _redirect_fixes(spf: DomainSpf) -> list[SenderFix]:
    fixes = []
    for where in spf.shape.ignored_redirects:
        owner, _, term = where.partition(": ")
        own = owner == spf.domain
        record = " ".join(t for t in spf.record.split(" ") if t and t != term) if own else ""
        fixes.append(
            SenderFix(
                "SPF013",
                spf.domain,
                f"The SPF record of {display_domain(owner)} has both an all term and {term}. "
                "A record with all ignores redirect=, so the redirect never applies.",
                "RFC 7208 §6.1",
                f"Publish the record without {term} (this is what receivers already do); or, "
                f"if {term.partition('=')[2]} was meant to decide, remove the all term instead.",
                owner if own else "",
                record,
                "No change in results; the record stops suggesting a delegation that does not "
                "happen.",
            )
        )
    return fixes


def _merge_fix(spf: DomainSpf, shown: str) -> SenderFix:
    shape = spf.shape
    problem = (
        f"{shown} publishes {len(shape.candidates)} v=spf1 TXT records. Receivers treat that "
        "as permerror for every host: no mail from the domain passes SPF."
    )
    if not shape.merged:
        action = "Publish one v=spf1 record; " + "; ".join(shape.merge_notes)
        return SenderFix("SPF015", spf.domain, problem, "RFC 7208 §4.5", action)
    over = shape.merged_lookups > MAX_DNS_LOOKUPS
    action = (
        f"Delete the {len(shape.candidates)} v=spf1 records and publish this one, which keeps "
        f"each term once ({_terms(shape.merged_lookups)}"
        + (
            f": more than {MAX_DNS_LOOKUPS}, so remove includes before publishing it)"
            if over
            else ")"
        )
        + "".join(f"; {note}" for note in shape.merge_notes)
        + "."
    )
    effect = "Receivers get an SPF result from the record again instead of permerror."
    return SenderFix(
        "SPF015", spf.domain, problem, "RFC 7208 §4.5", action, spf.domain, shape.merged, effect
    )


def _terms(count: int) -> str:
    return f"{count} DNS-querying term{'' if count == 1 else 's'}"


def dmarc_fixes(domain: DomainDmarc) -> list[SenderFix]:
    """Fixes for one sender domain's DMARC: ignored records, unauthorised report addresses."""
    return _ignored_fixes(domain) + _destination_fixes(domain)


def _ignored_fixes(domain: DomainDmarc) -> list[SenderFix]:
    fixes = []
    for step in domain.walk.steps:
        if step.state is not StepState.NONE:
            continue
        for text in step.texts:
            reason = re.sub(r" \(RFC [^)]*\)$", "", ignored_reason(text))  # clause: own field
            if reason:
                fixes.append(
                    SenderFix(
                        "DMC015",
                        domain.domain,
                        f"The DMARC record at _dmarc.{display_domain(step.domain)} is ignored: "
                        f"{reason}.",
                        "RFC 7489 §6.3",
                        "Replace it with this record (the same tags, written so receivers "
                        "read them):",
                        f"_dmarc.{step.domain}",
                        corrected_record(text),
                        "Receivers apply the DMARC policy in the record; today they apply none.",
                    )
                )
    return fixes


def _destination_fixes(domain: DomainDmarc) -> list[SenderFix]:
    fixes = []
    for d in domain.destinations:
        if d.state == "not-authorised":
            fixes.append(
                SenderFix(
                    "DMC016",
                    domain.domain,
                    f"The DMARC record of {display_domain(domain.domain)} sends {d.tag} reports "
                    f"to {d.uri}, but {d.domain} has not agreed to receive them.",
                    "RFC 7489 §7.1",
                    f"Have the operator of {d.domain} publish this record (or remove the "
                    f"address from {d.tag}=):",
                    d.query,
                    "v=DMARC1",
                    f"Receivers start sending {d.tag} reports to that address.",
                )
            )
    return fixes
