"""Findings for the SMTP probe, decided in pure code from ``ProbeFacts``."""

from __future__ import annotations

from mailcheck.base.model import Finding, Status
from mailcheck.facts.probe import ProbedHost, ProbeFacts

# verdict -> (code, status, what it means)
_VERDICTS = {
    "accepted": ("PRB001", Status.PASS, "accepts"),
    "temporary": ("PRB002", Status.WARN, "temporarily refuses (greylisting or rate limit)"),
    "policy": ("PRB003", Status.FAIL, "blocks by policy"),
    "unknown-recipient": ("PRB004", Status.WARN, "does not know the recipient of"),
    "rejected": ("PRB005", Status.FAIL, "rejects"),
    "timeout": ("PRB006", Status.ERROR, "did not answer (timeout) for"),
    "unreachable": ("PRB006", Status.ERROR, "could not be probed for"),
}

_DETAILS = {
    "PRB002": "A 4xx reply: real senders retry later. Greylisting delays the first message "
    "(verification codes may expire meanwhile); allowlisting the sender skips it.",
    "PRB003": "A 5.7.x reply: a sender/IP policy blocks this mail. Allowlist the sender.",
    "PRB004": "5.1.1: the recipient address is unknown here; probe with a real mailbox.",
    "PRB006": "The probe could not decide. Many networks block outbound port 25: run it from "
    "a host that may send mail.",
}

_IP_CAVEAT = (
    "The probe connects from this machine, not from the sender's servers: it proves "
    "address-based policy only, not IP-based policy (DNSBLs, IP allowlists, SPF at connect)."
)


def evaluate(facts: ProbeFacts) -> tuple[Finding, ...]:
    """One verdict finding per probed host, then its TLS and DANE findings."""
    findings: list[Finding] = []
    if not facts.hosts:
        return (
            Finding(
                "PRB006",
                Status.ERROR,
                f"No MX host of {facts.domain} to probe",
                detail=facts.error or f"MX state: {facts.mx_state}",
                subject=facts.domain,
            ),
        )
    for host in facts.hosts:
        findings.append(_verdict(facts, host))
        findings += _tls(host)
    if facts.mx_hosts > len(facts.hosts):
        findings.append(
            Finding(
                "PRB011",
                Status.INFO,
                f"Probed {len(facts.hosts)} of {facts.mx_hosts} MX hosts (--probe-max-mx)",
                subject=facts.domain,
            )
        )
    return tuple(findings)


def _verdict(facts: ProbeFacts, host: ProbedHost) -> Finding:
    code, status, words = _VERDICTS[host.verdict]
    where = f" at {host.stage.upper()}" if host.verdict != "accepted" else ""
    return Finding(
        code,
        status,
        f"{host.host} {words} MAIL FROM:<{facts.sender}> RCPT TO:<{facts.recipient}>{where}",
        detail=" ".join(filter(None, (_DETAILS.get(code, ""), _IP_CAVEAT))),
        subject=host.host,
        evidence=(f"{host.address}:{facts.port} {host.reply}", *host.transcript),
    )


def _tls(host: ProbedHost) -> list[Finding]:
    if host.stage in ("connect", "banner") and not host.tls_offered:
        return []  # never got as far as EHLO: nothing to say about STARTTLS
    cert_evidence = _cert_evidence(host)
    state = _tls_state(host)
    findings = []
    if state is not None:
        code, status, summary, detail = state
        evidence = (host.tls_error,) if code == "PRB010" else cert_evidence
        findings.append(Finding(code, status, summary, detail, host.host, evidence))
    return findings + _dane(host, cert_evidence)


def _tls_state(host: ProbedHost) -> tuple[str, Status, str, str] | None:
    """The one STARTTLS finding: missing, failed, unverifiable or good."""
    if not host.tls_offered:
        detail = "Mail to this host travels unencrypted."
        return "PRB008", Status.WARN, f"{host.host} does not offer STARTTLS", detail
    if host.tls_error:
        return "PRB010", Status.WARN, f"STARTTLS failed on {host.host}", ""
    if host.tls_verify_error:
        summary = f"{host.host} offers STARTTLS, but its certificate does not verify"
        detail = (
            f"{host.tls_verify_error}. Opportunistic senders still deliver; MTA-STS senders "
            "will not (DANE-EE senders check TLSA instead)."
        )
        return "PRB007", Status.WARN, summary, detail
    if host.tls_established:
        return "PRB009", Status.PASS, f"{host.host} offers STARTTLS with a valid certificate", ""
    return None


def _cert_evidence(host: ProbedHost) -> tuple[str, ...]:
    cert = host.certificate
    fields = (
        ("subject", cert.subject),
        ("issuer", cert.issuer),
        ("names", ", ".join(cert.names)),
        ("expires", cert.not_after),
        ("sha256", cert.sha256),
    )
    return tuple(f"{key}: {value}" for key, value in fields if value)


def _dane(host: ProbedHost, cert_evidence: tuple[str, ...]) -> list[Finding]:
    evidence = (*cert_evidence, *(f"TLSA _25._tcp.{host.host} {r}" for r in host.tlsa))
    if host.dane == "match":
        return [
            Finding(
                "TLS015",
                Status.PASS,
                f"{host.host}'s certificate matches its TLSA",
                subject=host.host,
                evidence=evidence,
            )
        ]
    if host.dane == "mismatch":
        return [
            Finding(
                "TLS016",
                Status.FAIL,
                f"{host.host}'s certificate matches none of its DANE-EE TLSA records",
                subject=host.host,
                evidence=evidence,
            )
        ]
    return []
