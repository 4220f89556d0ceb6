"""Turn one message's facts into findings: the pure ``evaluate`` step of message analysis.

Transport and authentication findings live here; vendor verdicts, the profile and the
one-sentence verdict are in ``judgement``.
"""

from __future__ import annotations

from mailcheck.base.model import Finding, Status
from mailcheck.message.chain import Chain
from mailcheck.message.facts import MessageFacts
from mailcheck.message.received import ReceivedHop
from mailcheck.message.trust import Trust

SLOW_HOP = 600.0  # seconds: a hop slower than this is worth a look (greylisting, queues)
MAX_HOP_LINES = 30


def flow_findings(facts: MessageFacts) -> list[Finding]:
    """Damage, the Received chain, the entry hop and Authentication-Results trust."""
    out: list[Finding] = []
    if facts.defects:
        out.append(
            Finding(
                "MSG002",
                Status.WARN,
                "The message is damaged or was cut to safe limits; the analysis is partial",
                evidence=facts.defects,
            )
        )
    if facts.identity.from_count != 1:
        out.append(
            Finding(
                "MSG002",
                Status.WARN,
                f"The message has {facts.identity.from_count} "
                "From fields (RFC 5322 requires one; several is a known way to fool "
                "DMARC, and receivers may reject it)",
            )
        )
    out += _chain_findings(facts.chain, facts)
    out += _authres_findings(facts)
    return out


def _chain_findings(chain: Chain, facts: MessageFacts) -> list[Finding]:
    if not chain.hops:
        return [Finding("MSG003", Status.INFO, "No Received fields: the path is unknown")]
    lines = [_hop_line(i, h.received, h.delay) for i, h in enumerate(chain.hops)]
    if len(lines) > MAX_HOP_LINES:
        lines = lines[:10] + [f"... {len(lines) - 20} hops omitted ..."] + lines[-10:]
    total = chain.total_delay
    summary = f"{len(chain.hops)} hops"
    summary += f", {total:.0f} s from first to last" if total is not None else ""
    out = [Finding("MSG003", Status.INFO, summary, evidence=tuple(lines))]
    out += [
        Finding(
            "MSG006",
            Status.WARN,
            f"Hop {i + 1} took {h.delay:.0f} s"
            if h.delay > 0
            else f"Hop {i + 1} is dated {-h.delay:.0f} s before the previous one",
            subject=h.received.by_host or "",
        )
        for i, h in enumerate(chain.hops)
        if h.delay is not None and abs(h.delay) > SLOW_HOP
    ][:10]
    out.append(_entry_finding(chain, facts))
    return out


def _hop_line(index: int, hop: ReceivedHop, delay: float | None) -> str:
    client = hop.from_rdns or hop.from_host or "?"
    ip = f" [{hop.from_ip}]" if hop.from_ip else ""
    when = hop.date.isoformat() if hop.date else "no date"
    wait = f" (+{delay:.0f} s)" if delay is not None else ""
    proto = f" with {hop.protocol}" if hop.protocol else ""
    return f"{index + 1}. {client}{ip} → {hop.by_host or '?'}{proto}, {when}{wait}"


def _entry_finding(chain: Chain, facts: MessageFacts) -> Finding:
    entry = chain.entry_hop
    if entry is None:
        return Finding(
            "MSG005",
            Status.WARN,
            "No hop from an outside IP: the entry into the "
            "organisation was not found (internal mail, or headers cut)",
        )
    text = f"Entered from {entry.from_rdns or entry.from_host or '?'} [{entry.from_ip}] at "
    text += f"{entry.by_host or '?'}"
    evidence = (entry.raw[:500],)
    if chain.entry_certain:
        return Finding("MSG004", Status.INFO, text, subject=entry.from_ip or "", evidence=evidence)
    why = "no --org-domain given" if not facts.org.known else "the org's hosts were not seen"
    return Finding(
        "MSG005",
        Status.WARN,
        f"{text} (assumed: {why})",
        subject=entry.from_ip or "",
        evidence=evidence,
    )


def _authres_findings(facts: MessageFacts) -> list[Finding]:
    out: list[Finding] = []
    for item in facts.authres[:20]:
        who = item.parsed.authserv_id or "(no authserv-id)"
        evidence = (
            (item.raw[:500], f"trust decided by: {item.rule}") if item.rule else (item.raw[:500],)
        )
        if item.trust is Trust.OUTSIDE:
            out.append(
                Finding(
                    "MSG007",
                    Status.WARN,
                    f"Authentication-Results by {who} was "
                    "already in the message when it entered the organisation: not "
                    "trusted, it may be forged",
                    subject=who,
                    evidence=evidence,
                )
            )
        elif item.trust in (Trust.FOREIGN, Trust.IGNORED):
            out.append(
                Finding(
                    "MSG008",
                    Status.INFO,
                    f"Authentication-Results by {who} is not "
                    "the organisation's own receiver: shown, not trusted",
                    subject=who,
                    evidence=evidence,
                )
            )
        elif item.trust is Trust.UNPARSEABLE:
            out.append(
                Finding(
                    "MSG002",
                    Status.WARN,
                    f"An Authentication-Results field cannot be parsed: {item.parsed.error}",
                    evidence=(item.raw[:500],),
                )
            )
    if facts.receiver_results:
        pairs = ", ".join(f"{k}={v}" for k, v in facts.receiver_results.items())
        status = Status.PASS if facts.receiver_results.get("dmarc") == "pass" else Status.INFO
        out.append(Finding("MSG009", status, f"The organisation's receiver recorded {pairs}"))
    return out


def auth_findings(facts: MessageFacts) -> list[Finding]:
    """ARC, DKIM, SPF, DMARC and lookup errors."""
    out = _arc_findings(facts) + _dkim_findings(facts) + [_spf_finding(facts)]
    out += _dmarc_findings(facts)
    out += [Finding("MSG024", Status.ERROR, e) for e in facts.errors[:10]]
    return out


def _arc_findings(facts: MessageFacts) -> list[Finding]:
    arc = facts.arc
    if not arc.present:
        return []
    lines = tuple(
        f"i={s.instance} sealed by {s.sealer or '?'} cv={s.cv or '?'}: "
        + (", ".join(f"{r.method}={r.result}" for r in s.results.results) if s.results else "")
        for s in arc.sets
    )
    validation = facts.arc_validation
    checked = f"seals {validation.result}" if validation else "seals not verified (headers only)"
    if validation is not None and validation.reason and validation.result != "pass":
        checked += f": {validation.reason}"
    if arc.problems or (validation is not None and validation.result == "fail"):
        return [
            Finding(
                "MSG010",
                Status.WARN,
                f"ARC chain is broken ({checked})",
                evidence=arc.problems + lines,
            )
        ]
    return [
        Finding(
            "MSG010",
            Status.INFO,
            f"ARC chain of {len(arc.sets)} sets from forwarders "
            f"({checked}; their results are not the organisation's)",
            evidence=lines,
        )
    ]


def _dkim_findings(facts: MessageFacts) -> list[Finding]:
    if not facts.has_body:
        return [Finding("MSG012", Status.INFO, "Headers only: DKIM cannot be re-verified")]
    if not facts.dkim:
        return [Finding("MSG013", Status.WARN, "The message carries no DKIM signature")]
    out: list[Finding] = []
    for d in facts.dkim:
        subject = f"d={d.domain} s={d.selector}"
        if d.result == "pass":
            out.append(
                Finding(
                    "MSG011",
                    Status.PASS,
                    f"DKIM {subject} verifies ({d.algorithm})",
                    subject=d.domain,
                )
            )
        elif d.result == "temperror":
            continue  # reported once as a lookup error (MSG024)
        else:
            out.append(
                Finding(
                    "MSG012",
                    Status.WARN,
                    f"DKIM {subject}: {d.result}: {d.reason}",
                    subject=d.domain,
                )
            )
    return out


def _spf_finding(facts: MessageFacts) -> Finding:
    spf = facts.spf
    status = {
        "pass": Status.PASS,
        "fail": Status.WARN,
        "softfail": Status.WARN,
        "permerror": Status.WARN,
        "temperror": Status.ERROR,
    }.get(spf.result, Status.INFO)
    where = (
        f" for {spf.domain or '?'} from {spf.ip or '?'}" if spf.result != "not-evaluated" else ""
    )
    summary = f"SPF {spf.result}{where} ({spf.source}: {spf.explanation})"
    return Finding("MSG014", status, summary, subject=spf.domain)


def _dmarc_findings(facts: MessageFacts) -> list[Finding]:
    dmarc = facts.dmarc
    if dmarc is None:
        why = facts.identity.from_problem or "no usable From address"
        return [Finding("MSG016", Status.WARN, f"DMARC cannot apply: {why}")]
    evidence = (dmarc.record,) if dmarc.record else ()
    if dmarc.result == "pass":
        return [
            Finding(
                "MSG015",
                Status.PASS,
                f"DMARC passes for {dmarc.from_domain} ({dmarc.explanation})",
                subject=dmarc.from_domain,
                evidence=evidence,
            )
        ]
    if dmarc.result == "fail":
        return [
            Finding(
                "MSG016",
                Status.FAIL,
                f"DMARC fails for {dmarc.from_domain} "
                f"(policy {dmarc.policy}; {dmarc.explanation}): this may be a forgery",
                subject=dmarc.from_domain,
                evidence=evidence,
            )
        ]
    if dmarc.result == "none":
        return [
            Finding(
                "MSG017",
                Status.WARN,
                f"{dmarc.from_domain} publishes no DMARC policy",
                subject=dmarc.from_domain,
            )
        ]
    if dmarc.result == "temperror":
        return []  # reported once as a lookup error (MSG024)
    return [
        Finding(
            "MSG016",
            Status.WARN,
            f"DMARC {dmarc.result} for {dmarc.from_domain} ({dmarc.explanation})",
            subject=dmarc.from_domain,
            evidence=evidence,
        )
    ]
