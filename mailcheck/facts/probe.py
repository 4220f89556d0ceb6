"""Facts of the ``probe`` check: what each MX host answered, its TLS, certificate and DANE."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class CertSummary:
    """The server certificate, in words (the DER itself stays out of the report)."""

    subject: str = ""
    issuer: str = ""
    names: tuple[str, ...] = ()
    not_after: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class ProbedHost:
    """One probed MX host: verdict, TLS, certificate, DANE, transcript."""

    host: str
    address: str
    verdict: str
    stage: str
    reply: str
    enhanced: str
    tls_offered: bool
    tls_established: bool
    tls_verified: bool
    tls_verify_error: str
    tls_error: str
    certificate: CertSummary
    tlsa: tuple[str, ...]
    dane: str  # "match", "mismatch", "unchecked" (no DANE-EE record or no certificate), "error"
    transcript: tuple[str, ...]


@dataclass(frozen=True)
class ProbeFacts(Facts):
    """What the probe asked, of whom, and what each host answered."""

    domain: str
    sender: str
    recipient: str
    port: int
    mx_state: str
    mx_hosts: int  # MX hosts with an address
    hosts: tuple[ProbedHost, ...] = ()
    error: str = ""
