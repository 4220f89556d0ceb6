"""Sender SPF findings from gathered facts: the pure half of the sender SPF check."""

from __future__ import annotations

import ipaddress

from mailcheck.base.model import Finding, Status
from mailcheck.checks.sender_spf_record import shape_findings
from mailcheck.facts.sender_spf import DomainSpf, SenderSpfFacts

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Drift evidence lists at most this many ranges; the facts keep them all.
MAX_EVIDENCE = 30
_NOT_AUTHORIZED_STATUS = {"fail": Status.FAIL, "softfail": Status.WARN, "neutral": Status.WARN}


def is_covered(network: str, by: tuple[str, ...]) -> bool:
    """True when ``network`` lies inside one of ``by`` (same address family)."""
    inner = ipaddress.ip_network(network)
    for text in by:
        outer = ipaddress.ip_network(text)
        if inner.version == outer.version and inner.subnet_of(outer):  # type: ignore[arg-type]
            return True
    return False


def evaluate(facts: SenderSpfFacts) -> tuple[Finding, ...]:
    """Decide findings for every domain of the matrix (pure)."""
    findings: list[Finding] = []
    for domain in facts.domains:
        findings += _domain_findings(facts, domain)
    return tuple(findings)


def _domain_findings(facts: SenderSpfFacts, spf: DomainSpf) -> list[Finding]:
    errors = [v for v in spf.verdicts if v.result == "temperror"]
    if spf.temporary or errors:
        reason = spf.error or errors[0].reason
        return [
            _finding(
                "SPF006",
                Status.ERROR,
                f"Could not read the SPF of {spf.shown}",
                spf,
                (reason,),
            )
        ]
    if any(v.result == "none" for v in spf.verdicts) or spf.error.startswith("no SPF"):
        label = f" ({spf.environment} sender)" if spf.environment else ""
        return [
            _finding(
                "SPF004",
                Status.WARN,
                f"{spf.shown}{label} publishes no SPF record: receivers get SPF none",
                spf,
            )
        ]
    broken = [v for v in spf.verdicts if v.result == "permerror"]
    if broken or spf.error:
        reason = broken[0].reason if broken else spf.error
        summary = f"The SPF record of {spf.shown} is broken (permerror): receivers treat it as fail"
        findings = [_finding("SPF007", Status.FAIL, summary, spf, (spf.record, reason))]
        return findings + shape_findings(spf.domain, spf.shape)
    findings = _ending(spf) + _verdict_findings(spf) + _drift(facts, spf)
    findings += shape_findings(spf.domain, spf.shape)
    # only what depends on the message: broken parts are SPF012's, failed lookups SPF006's
    dependent = [(t, r) for t, r in spf.unexpandable if r.startswith(("depends", "macro"))]
    if dependent:
        parts = tuple(f"{term}: {reason}" for term, reason in dependent)
        summary = f"Parts of the SPF of {spf.shown} depend on the message: drift check incomplete"
        findings.append(_finding("SPF008", Status.INFO, summary, spf, parts))
    return findings


def _ending(spf: DomainSpf) -> list[Finding]:
    if spf.ending == "+":
        summary = f"The SPF of {spf.shown} ends in +all: any host on the internet passes SPF"
        return [_finding("SPF005", Status.FAIL, summary, spf, (spf.record,))]
    if spf.ending == "?":
        summary = f"The SPF of {spf.shown} ends in ?all: unlisted hosts are neutral, not rejected"
        return [_finding("SPF010", Status.WARN, summary, spf, (spf.record,))]
    return []


def _verdict_findings(spf: DomainSpf) -> list[Finding]:
    findings: list[Finding] = []
    denied = [v for v in spf.verdicts if v.result != "pass"]
    for verdict in denied:
        status = _NOT_AUTHORIZED_STATUS.get(verdict.result, Status.WARN)
        summary = (
            f"{verdict.ip} is listed by the profile but gets SPF {verdict.result} at {spf.shown}: "
            "mail from it fails SPF, so DMARC rests on DKIM alone"
        )
        decided = f"decided by: {verdict.matched or 'default result'}"
        findings.append(
            _finding("SPF002", status, summary, spf, (spf.record, decided), subject=verdict.ip)
        )
    passed = [v for v in spf.verdicts if v.result == "pass"]
    if passed and not denied:
        summary = f"The live SPF of {spf.shown} authorizes all {len(passed)} listed IPs"
        matched = tuple(f"{v.ip}: {v.matched}" for v in passed)
        findings.insert(0, _finding("SPF001", Status.PASS, summary, spf, matched))
    return findings


def _drift(facts: SenderSpfFacts, spf: DomainSpf) -> list[Finding]:
    profile_networks = tuple(n for n, _ in facts.networks)
    remainders = {a.network: uncovered(a.network, profile_networks) for a in spf.authorized}
    extra = [a for a in spf.authorized if remainders[a.network]]
    findings: list[Finding] = []
    if extra:
        size = sum(n.num_addresses for a in extra for n in remainders[a.network])
        ranges = f"{len(extra)} range" + ("s" if len(extra) != 1 else "")
        addresses = f"{size:,} address" + ("es" if size != 1 else "")
        summary = (
            f"The live SPF of {spf.shown} authorizes {ranges} ({addresses}) "
            "the profile does not list: the profile's IP list may be stale"
        )
        evidence = tuple(f"{a.network} via {' -> '.join(a.via)}" for a in extra[:MAX_EVIDENCE])
        findings.append(_finding("SPF003", Status.WARN, summary, spf, evidence))
    for network, documented in facts.networks:
        if not documented:
            findings.append(_undocumented(spf, network))
    return findings


def _undocumented(spf: DomainSpf, network: str) -> Finding:
    live = tuple(a.network for a in spf.authorized)
    if is_covered(network, live):
        holder = next(a for a in spf.authorized if is_covered(network, (a.network,)))
        summary = (
            f"The profile's undocumented {network} lies inside {holder.network}, which the "
            f"live SPF of {spf.shown} authorizes (wider than the profile says)"
        )
        return _finding("SPF011", Status.INFO, summary, spf, (" -> ".join(holder.via),), network)
    summary = (
        f"The profile's undocumented {network} is not authorized by the live SPF of {spf.shown}"
    )
    return _finding("SPF011", Status.WARN, summary, spf, (spf.record,), network)


def _finding(
    code: str,
    status: Status,
    summary: str,
    spf: DomainSpf,
    evidence: tuple[str, ...] = (),
    subject: str = "",
) -> Finding:
    return Finding(
        code,
        status,
        summary,
        subject=subject or spf.domain,
        evidence=tuple(e for e in evidence if e),
    )


def uncovered(network: str, by: tuple[str, ...]) -> list[Network]:
    """The parts of ``network`` that none of ``by`` covers (empty: fully covered)."""
    remaining: list[Network] = [ipaddress.ip_network(network)]
    for text in by:
        cover = ipaddress.ip_network(text)
        next_round: list[Network] = []
        for part in remaining:
            if part.version != cover.version or not part.overlaps(cover):
                next_round.append(part)
            elif not part.subnet_of(cover):  # type: ignore[arg-type]
                next_round.extend(part.address_exclude(cover))  # type: ignore[arg-type]
        remaining = next_round
    return remaining
