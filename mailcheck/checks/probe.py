"""The opt-in SMTP probe as a check: ask each MX (the first N) about the sender and recipient.

Runs only when the user passes ``--probe-rcpt``. Hosts are probed one after another under a
connection-rate limit. The certificate STARTTLS showed is summarised and compared with the
host's DANE-EE TLSA records. The probe runs from the admin's IP, not the sender's, so it
proves address-based policy, not IP-based policy.
"""

from __future__ import annotations

import dataclasses
import hashlib

from cryptography import x509

from mailcheck.base.model import CheckResult
from mailcheck.checks import mx
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.probe_findings import evaluate
from mailcheck.checks.tls import lookup_tlsa
from mailcheck.facts.probe import CertSummary, ProbedHost, ProbeFacts
from mailcheck.protocols.dane import Tlsa, matches_end_entity
from mailcheck.rulefiles.profiles import Environment, SenderProfile
from mailcheck.smtp.probe import ProbeOptions, ProbeResult, RateLimiter, probe_host

FALLBACK_SENDER = "mailcheck-probe@mailcheck.invalid"


class ProbeCheck:
    """See ``Check``."""

    name = "probe"
    title = "SMTP probe: would the MX accept the sender?"

    def __init__(self, options: ProbeOptions) -> None:
        self._options = options

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        facts = await gather(context, self._options)
        return CheckResult(self.name, self.title, evaluate(facts), facts)


def pick_sender(profile: SenderProfile | None, override: str = "") -> str:
    """The MAIL FROM to use: the override, else the profile's first exact production sender."""
    if override:
        return override
    senders = profile.senders if profile else ()
    exact = [s for s in senders if not s.is_wildcard]
    production = [s for s in exact if s.environment is Environment.PRODUCTION]
    chosen = production or exact
    return chosen[0].address if chosen else FALLBACK_SENDER


async def gather(context: CheckContext, options: ProbeOptions) -> ProbeFacts:
    """Resolve the MX set, then probe the most-preferred hosts one by one."""
    sender = pick_sender(context.profile, options.sender)
    mx_facts = await mx.gather(context.domain, context.resolver)
    usable = (
        [h for h in mx_facts.hosts if h.addresses] if mx_facts.state in ("mx", "implicit") else []
    )
    base = ProbeFacts(
        context.domain, sender, options.recipient, options.port, mx_facts.state, len(usable)
    )
    if not usable:
        return dataclasses.replace(base, error=mx_facts.error)
    limiter = RateLimiter(options.min_interval)
    probed = []
    for host in usable[: options.max_mx]:
        address = next((a for a in host.addresses if ":" not in a), host.addresses[0])
        result = await probe_host(host.exchange, address, sender, options, limiter)
        probed.append(await _with_dane(context, result))
    return dataclasses.replace(base, hosts=tuple(probed))


async def _with_dane(context: CheckContext, result: ProbeResult) -> ProbedHost:
    tlsa = await lookup_tlsa(context.resolver, result.host)
    dane = "error" if tlsa.state == "error" else "unchecked"
    if result.tls.cert_der and tlsa.records:
        records = []
        for text in tlsa.records:
            try:
                records.append(Tlsa.from_text(text))
            except ValueError:
                continue  # the TLS posture check reports malformed records
        match = matches_end_entity(tuple(records), result.tls.cert_der)
        dane = "unchecked" if match is None else ("match" if match else "mismatch")
    tls = result.tls
    return ProbedHost(
        result.host,
        result.address,
        result.verdict,
        result.stage,
        result.reply,
        result.enhanced,
        tls.offered,
        tls.established,
        tls.verified,
        tls.verify_error,
        tls.error,
        summarize_certificate(tls.cert_der),
        tlsa.records,
        dane,
        result.transcript,
    )


def summarize_certificate(der: bytes) -> CertSummary:
    """Subject, issuer, DNS names, expiry and fingerprint; empty when there is none."""
    if not der:
        return CertSummary()
    digest = hashlib.sha256(der).hexdigest()
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return CertSummary(sha256=digest)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName))
    except (x509.ExtensionNotFound, ValueError):
        names = ()
    return CertSummary(
        cert.subject.rfc4514_string(),
        cert.issuer.rfc4514_string(),
        names,
        cert.not_valid_after_utc.isoformat(),
        digest,
    )
