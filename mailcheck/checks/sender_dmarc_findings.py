"""Findings of the sender DMARC check, built from policy results and predictions (pure)."""

from __future__ import annotations

from mailcheck.base.idn import display_address, display_domain
from mailcheck.base.model import Finding, Status
from mailcheck.protocols.dmarc import (
    Discovery,
    PolicyResult,
    Prediction,
    Route,
    StepState,
    TreeWalk,
)
from mailcheck.protocols.dmarc.explain import explain_record
from mailcheck.protocols.dmarc.record import Policy, TagNote


def walk_evidence(walk: TreeWalk) -> tuple[str, ...]:
    """One line per query of the walk, with the raw TXT strings found."""
    lines = []
    for step in walk.steps:
        texts = " | ".join(step.texts)
        detail = step.reason or texts
        lines.append(f"_dmarc.{step.domain} TXT: {step.state}" + (f": {detail}" if detail else ""))
    return tuple(lines)


def domain_findings(result: PolicyResult, walk: TreeWalk, exists: bool | None) -> list[Finding]:
    """Findings about one sender domain's DMARC policy."""
    domain = result.author_domain
    shown = display_domain(domain)
    evidence = walk_evidence(walk)
    findings = _step_findings(walk, domain)
    match result.state:
        case Discovery.ERROR:
            findings.append(
                Finding(
                    "DMC003",
                    Status.ERROR,
                    f"Could not decide the DMARC policy of {shown}: a lookup failed",
                    "This is not 'no policy': retry, or check the resolver.",
                    domain,
                    (*evidence, result.error),
                )
            )
        case Discovery.NONE:
            findings.append(
                Finding(
                    "DMC002",
                    Status.WARN,
                    f"No DMARC policy applies to {shown}",
                    "RFC 9989 DNS Tree Walk found no DMARC record at the domain or any parent. "
                    "Receivers apply no DMARC, and anyone can spoof this From domain; an "
                    "allowlist keyed on it is easier to abuse.",
                    domain,
                    evidence,
                )
            )
        case Discovery.UNUSABLE:
            findings.append(_unusable(result, evidence))
        case Discovery.FOUND:
            findings.extend(_found(result, evidence, exists))
    return findings


def _step_findings(walk: TreeWalk, domain: str) -> list[Finding]:
    findings = []
    for step in walk.steps:
        if step.state is StepState.MULTIPLE:
            findings.append(
                Finding(
                    "DMC009",
                    Status.WARN,
                    f"_dmarc.{step.domain} has more than one DMARC record: all are ignored",
                    "RFC 9989 §4.10 step 2 discards every record when there are several.",
                    domain,
                    step.texts,
                )
            )
        elif step.state is StepState.INVALID:
            findings.append(
                Finding(
                    "DMC010",
                    Status.WARN,
                    f"_dmarc.{step.domain} has an invalid DMARC record ({step.reason})",
                    "Receivers ignore it and keep walking up the tree.",
                    domain,
                    step.texts,
                )
            )
    return findings


def _unusable(result: PolicyResult, evidence: tuple[str, ...]) -> Finding:
    assert result.record is not None
    errors = tuple(n.message for n in result.record.errors)
    return Finding(
        "DMC006",
        Status.WARN,
        f"The DMARC record for {result.author_domain} at _dmarc.{result.policy_domain} "
        "is unusable: receivers apply no DMARC",
        "A p, sp or np tag has a bad value and rua has no valid URI (RFC 9989 §4.10.1).",
        result.author_domain,
        (*evidence, *errors),
    )


def _found(result: PolicyResult, evidence: tuple[str, ...], exists: bool | None) -> list[Finding]:
    record = result.record
    assert record is not None and result.policy is not None
    domain = result.author_domain
    shown = display_domain(domain)
    org = result.organizational_domain or "undecided"
    where = (
        f"p={result.policy} from _dmarc.{result.policy_domain} (tag {result.applied_tag}); "
        f"Organizational Domain {org}"
    )
    detail = "; ".join(explain_record(record))
    if exists is None and result.applied_tag != "p":
        detail += "; whether the domain exists (sp vs np) could not be decided"
    findings = [_policy_finding(domain, result.policy, where, detail, evidence)]
    if record.test_mode:
        findings.append(
            Finding(
                "DMC008",
                Status.INFO,
                f"{shown}: DMARC record is in test mode (t=y)",
                "RFC 9989: receivers are asked not to apply the policy; this replaces pct=0.",
                domain,
                (record.text,),
            )
        )
    findings.extend(_record_notes(domain, record.text, record.notes))
    if result.error:
        findings.append(
            Finding(
                "DMC003",
                Status.ERROR,
                f"Could not decide the Organizational Domain of {shown}: a lookup failed",
                "Relaxed alignment cannot be predicted until the walk completes.",
                domain,
                (*evidence, result.error),
            )
        )
    return findings


def _policy_finding(
    domain: str, policy: Policy, where: str, detail: str, evidence: tuple[str, ...]
) -> Finding:
    shown = display_domain(domain)
    if policy is Policy.NONE:
        return Finding(
            "DMC007",
            Status.INFO,
            f"{shown}: DMARC policy is none (monitoring only): {where}",
            detail,
            domain,
            evidence,
        )
    return Finding(
        "DMC001", Status.PASS, f"{shown}: DMARC policy {where}", detail, domain, evidence
    )


def _record_notes(domain: str, text: str, notes: tuple[TagNote, ...]) -> list[Finding]:
    errors = tuple(n.message for n in notes if n.kind == "error")
    legacy = tuple(n.message for n in notes if n.kind in ("removed", "legacy"))
    shown = display_domain(domain)
    findings = []
    if errors:
        findings.append(
            Finding(
                "DMC004",
                Status.WARN,
                f"{shown}: the DMARC record has syntax errors; receivers use defaults",
                "RFC 9989 §5.3: syntax errors in a tag are discarded in favour of defaults.",
                domain,
                (text, *errors),
            )
        )
    if legacy:
        findings.append(
            Finding(
                "DMC005",
                Status.INFO,
                f"{shown}: RFC 7489 receivers would read this DMARC record differently",
                "RFC 9989 obsoletes RFC 7489; older receivers still follow the old rules.",
                domain,
                (text, *legacy),
            )
        )
    return findings


def prediction_findings(prediction: Prediction) -> list[Finding]:
    """Can DMARC pass via SPF for this address, or only via DKIM?"""
    address, author = display_address(prediction.address), prediction.author_domain
    dkim = _dkim_text(prediction)
    aligned = ", ".join(prediction.aligned_envelope)
    unaligned = ", ".join(prediction.unaligned_envelope)
    table = {
        Route.ALIGNED: (
            "DMC011",
            Status.PASS,
            f"{address}: DMARC can pass via SPF (envelope domain {aligned} aligns)",
            f"If SPF passes for {aligned}, DMARC passes for {author}.",
        ),
        Route.NOT_ALIGNED: (
            "DMC012",
            Status.WARN,
            f"{address}: DMARC can pass only via DKIM (envelope {unaligned} does not align "
            f"with {author})",
            "SPF may pass for the envelope domain but cannot satisfy DMARC; a DKIM failure "
            "(e.g. a forwarder changing the body) fails DMARC.",
        ),
        Route.UNKNOWN: (
            "DMC013",
            Status.INFO,
            f"{address}: envelope (Return-Path) domain unknown; SPF alignment cannot be assumed",
            "The profile documents no envelope domain. SaaS senders often use their own "
            f"bounce domain, so DMARC for {author} may rest on DKIM alone.",
        ),
        Route.UNDECIDED: (
            "DMC003",
            Status.ERROR,
            f"{address}: could not decide DMARC alignment (a lookup failed)",
            "An Organizational Domain lookup did not complete.",
        ),
    }
    if prediction.spf not in table:
        return []  # NOT_APPLICABLE: the domain finding already says why
    code, status, summary, detail = table[prediction.spf]
    return [Finding(code, status, summary, f"{detail} {dkim}", prediction.address)]


def _dkim_text(prediction: Prediction) -> str:
    match prediction.dkim:
        case Route.ALIGNED:
            return f"DKIM d={', '.join(prediction.aligned_dkim)} aligns."
        case Route.NOT_ALIGNED:
            return f"Documented DKIM d={', '.join(prediction.unaligned_dkim)} does not align."
        case Route.UNKNOWN:
            return "The profile documents no DKIM domain."
    return "DKIM alignment undecided."
