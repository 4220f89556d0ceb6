"""Findings for the inbound TLS posture, decided in pure code from ``TlsFacts``."""

from __future__ import annotations

from mailcheck.base.model import Finding, Status
from mailcheck.facts.tls import StsFacts, TlsaLookup, TlsFacts, TxtLookup
from mailcheck.protocols.dane import USAGE_NAMES, Tlsa


def evaluate(facts: TlsFacts) -> tuple[Finding, ...]:
    """MTA-STS, then TLS-RPT, then DANE findings."""
    return (
        *_sts_findings(facts.domain, facts.sts),
        *_tlsrpt_findings(facts),
        *_dane_findings(facts.domain, facts.tlsa),
    )


def _lookup_error(lookup: TxtLookup) -> Finding:
    return Finding(
        "TLS008",
        Status.ERROR,
        f"Could not look up {lookup.name}",
        subject=lookup.name,
        evidence=(lookup.error,),
    )


def _sts_findings(domain: str, sts: StsFacts) -> list[Finding]:
    record = sts.record
    if record.state == "error":
        return [_lookup_error(record)]
    evidence = tuple(f"TXT {record.name} {t!r}" for t in record.texts)
    state = _before_policy(domain, sts)
    if state is None:
        return _policy_findings(domain, sts, evidence)
    code, status, summary, detail = state
    if code == "TLS004":
        evidence = (*evidence, sts.url, sts.fetch_error)
    subject = domain if code == "TLS002" else (record.name if code == "TLS003" else sts.url)
    return [Finding(code, status, summary, detail, subject, evidence if code != "TLS002" else ())]


def _before_policy(domain: str, sts: StsFacts) -> tuple[str, Status, str, str] | None:
    """No record, a bad record, or no policy body: the finding; None once a policy was read."""
    if sts.record.state != "answer" or sts.record_problems == ("no record starts with v=STSv1",):
        detail = "Senders may deliver without TLS or to any certificate."
        return "TLS002", Status.INFO, f"{domain} publishes no MTA-STS policy", detail
    if sts.record_problems:
        summary = f"The _mta-sts record of {domain} is invalid"
        return "TLS003", Status.WARN, summary, "; ".join(sts.record_problems)
    if sts.fetch_kind == "offline":
        summary = f"{domain} publishes MTA-STS; its policy was not fetched (snapshot replay)"
        return "TLS017", Status.INFO, summary, ""
    if not sts.fetched:
        # A DNS lookup that could not complete leaves the question open: ERROR, not WARN.
        status = Status.ERROR if sts.fetch_kind == "dns-error" else Status.WARN
        detail = (
            f"{sts.fetch_kind}: {sts.fetch_error}. Senders treat the domain as having no policy."
        )
        return "TLS004", status, f"The MTA-STS policy of {domain} cannot be fetched", detail
    return None


def _policy_findings(domain: str, sts: StsFacts, evidence: tuple[str, ...]) -> list[Finding]:
    evidence = (*evidence, f"{sts.url}:\n{sts.body}")
    if sts.policy_problems:
        summary = f"The MTA-STS policy of {domain} is invalid"
        detail = "; ".join(sts.policy_problems)
        return [Finding("TLS005", Status.WARN, summary, detail, sts.url, evidence)]
    if sts.mode != "enforce":
        summary = f"{domain}'s MTA-STS policy is in {sts.mode!r} mode"
        detail = "Senders report failures but still deliver."
        findings = [Finding("TLS007", Status.INFO, summary, detail, domain, evidence)]
    else:
        summary = f"{domain} enforces MTA-STS and every MX host is covered"
        findings = (
            []
            if sts.uncovered_mx
            else [Finding("TLS001", Status.PASS, summary, "", domain, evidence)]
        )
    if sts.uncovered_mx and sts.mode in ("enforce", "testing"):
        status = Status.FAIL if sts.mode == "enforce" else Status.WARN
        summary = f"MX hosts not covered by {domain}'s MTA-STS policy: " + ", ".join(
            sts.uncovered_mx
        )
        detail = (
            "Senders that enforce MTA-STS refuse to deliver to an MX host that no mx: pattern "
            "matches (RFC 8461 §4.1)."
        )
        patterns = tuple(f"mx: {p}" for p in sts.mx_patterns)
        findings.insert(
            0, Finding("TLS006", status, summary, detail, domain, (*evidence, *patterns))
        )
    return findings


def _tlsrpt_findings(facts: TlsFacts) -> list[Finding]:
    lookup, domain = facts.tlsrpt, facts.domain
    if lookup.state == "error":
        return [_lookup_error(lookup)]
    evidence = tuple(f"TXT {lookup.name} {t!r}" for t in lookup.texts)
    if lookup.state != "answer" or not any(t.startswith("v=TLSRPTv1") for t in lookup.texts):
        return [
            Finding(
                "TLS010",
                Status.INFO,
                f"{domain} publishes no TLS-RPT record",
                detail="No one receives reports of failed TLS deliveries (RFC 8460).",
                subject=lookup.name,
            )
        ]
    if facts.tlsrpt_problems:
        return [
            Finding(
                "TLS011",
                Status.WARN,
                f"The TLS-RPT record of {domain} is invalid",
                detail="; ".join(facts.tlsrpt_problems),
                subject=lookup.name,
                evidence=evidence,
            )
        ]
    return [
        Finding(
            "TLS009",
            Status.PASS,
            f"{domain} receives TLS reports at " + ", ".join(facts.tlsrpt_rua),
            subject=lookup.name,
            evidence=evidence,
        )
    ]


def _dane_findings(domain: str, lookups: tuple[TlsaLookup, ...]) -> list[Finding]:
    findings: list[Finding] = []
    without = [t.host for t in lookups if t.state in ("nxdomain", "nodata")]
    for lookup in lookups:
        if lookup.state == "error":
            findings.append(
                Finding(
                    "TLS008",
                    Status.ERROR,
                    f"Could not look up TLSA for {lookup.host}",
                    subject=lookup.host,
                    evidence=(lookup.error,),
                )
            )
        elif lookup.state == "answer":
            findings += _tlsa_findings(lookup)
    if without:
        findings.append(
            Finding(
                "TLS013",
                Status.INFO,
                "No DANE TLSA record for MX hosts: " + ", ".join(without),
                subject=domain,
                evidence=tuple(f"_25._tcp.{h} TLSA: none" for h in without),
            )
        )
    return findings


def _tlsa_findings(lookup: TlsaLookup) -> list[Finding]:
    name = f"_25._tcp.{lookup.host}"
    usable, problems = [], []
    for text in lookup.records:
        try:
            record = Tlsa.from_text(text)
        except ValueError as exc:
            problems.append(f"{text[:80]}: {exc}")
            continue
        if record.usage in (0, 1):  # RFC 7672 §3.1.3: PKIX usages are not for SMTP
            problems.append(f"{text[:80]}: usage {USAGE_NAMES[record.usage]} is not for SMTP")
        else:
            usable.append(record)
    evidence = tuple(f"TLSA {name} {r}" for r in lookup.records)
    findings = []
    if problems:
        # RFC 7672 §2.2: with no usable record senders still insist on TLS, unauthenticated.
        findings.append(
            Finding(
                "TLS014",
                Status.WARN,
                f"Unusable TLSA records at {name}",
                detail="; ".join(problems),
                subject=lookup.host,
                evidence=evidence,
            )
        )
    if usable:
        findings.append(
            Finding(
                "TLS012",
                Status.PASS,
                f"{lookup.host} publishes DANE TLSA records",
                detail="DANE applies only when the zone is DNSSEC-signed, "
                "which this check does not verify.",
                subject=lookup.host,
                evidence=evidence,
            )
        )
    return findings
