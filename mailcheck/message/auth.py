"""The seam through which message analysis gets SPF and DMARC answers.

``AuthEvaluator`` is the narrow interface: SPF for (entry IP, MAIL FROM, HELO) and DMARC for
(From domain, SPF outcome, DKIM results). ``BuiltinAuthEvaluator`` re-evaluates SPF with the
project's RFC 7208 evaluator (``mailcheck.spf.check_host``) and, until the DMARC module
(``mailcheck.dmarc``) lands, implements a minimal DMARC itself: discovery by tree walk,
relaxed/strict alignment and the policy outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mailcheck.dkim import DkimResult
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.errors import DnsError
from mailcheck.spf import check_host

MAX_WALK = 8  # DMARC tree walk query limit (RFC 9989 §4.10.1 caps it at 8 lookups)


@dataclass(frozen=True)
class SpfOutcome:
    """SPF for the entry hop: result per RFC 7208 §2.6 plus where it came from."""

    result: str  # pass fail softfail neutral none temperror permerror | not-evaluated
    domain: str = ""  # the MAIL FROM domain checked (or the HELO domain)
    ip: str = ""
    source: str = ""  # "mailcheck" or "receiver's Authentication-Results"
    explanation: str = ""


@dataclass(frozen=True)
class DmarcOutcome:
    """DMARC for the From domain (RFC 9989): alignment and the policy that applies."""

    result: str  # pass | fail | none (no policy) | temperror
    from_domain: str
    policy: str | None = None  # none | quarantine | reject (sp= for subdomains)
    record: str = ""
    organizational_domain: str = ""
    spf_aligned: bool = False
    dkim_aligned_domains: tuple[str, ...] = ()
    explanation: str = ""


class AuthEvaluator(Protocol):
    """SPF and DMARC for one message; implementations query only through a ``Resolver``."""

    async def spf(self, ip: str, mail_from: str, helo: str) -> SpfOutcome:
        """SPF for the connecting IP and the envelope sender (RFC 7208 check_host)."""
        ...

    async def dmarc(
        self, from_domain: str, spf: SpfOutcome, dkim: tuple[DkimResult, ...]
    ) -> DmarcOutcome:
        """DMARC alignment and policy for the RFC 5322 From domain."""
        ...


class BuiltinAuthEvaluator:
    """See the module docstring: minimal DMARC, SPF taken from the receiver when trusted."""

    def __init__(self, resolver: Resolver, receiver_spf: SpfOutcome | None = None) -> None:
        self._resolver = resolver
        self._receiver_spf = receiver_spf

    async def spf(self, ip: str, mail_from: str, helo: str) -> SpfOutcome:
        """See ``AuthEvaluator.spf``. A null Return-Path checks the HELO name (RFC 7208 §2.4)."""
        domain = (mail_from.rpartition("@")[2] or helo).lower().rstrip(".")
        if not ip or not domain:
            if self._receiver_spf is not None:
                return self._receiver_spf
            return SpfOutcome("not-evaluated", domain, ip, "mailcheck", "no IP or no domain")
        sender = mail_from or f"postmaster@{domain}"
        try:
            outcome = await check_host(self._resolver, ip, domain, sender, helo=helo)
        except ValueError as exc:
            return SpfOutcome("not-evaluated", domain, ip, "mailcheck", f"bad IP: {exc}")
        why = outcome.explanation or outcome.reason or f"evaluated the record of {domain}"
        receiver = self._receiver_spf
        if receiver is not None and receiver.result != outcome.result.value:
            why += f"; the receiver recorded {receiver.result}"
        return SpfOutcome(outcome.result.value, domain, ip, "mailcheck", why)

    async def dmarc(
        self, from_domain: str, spf: SpfOutcome, dkim: tuple[DkimResult, ...]
    ) -> DmarcOutcome:
        """See ``AuthEvaluator.dmarc``."""
        try:
            found = await discover(self._resolver, from_domain)
            if found is None:
                return DmarcOutcome("none", from_domain, explanation="no DMARC record found")
            record_domain, record = found
            org = await organizational_domain(self._resolver, from_domain, record_domain)
        except DnsError as exc:
            return DmarcOutcome("temperror", from_domain, explanation=f"lookup failed: {exc}")
        return evaluate_dmarc(from_domain, record_domain, record, org, spf, dkim)


def evaluate_dmarc(
    from_domain: str,
    record_domain: str,
    record: str,
    org: str,
    spf: SpfOutcome,
    dkim: tuple[DkimResult, ...],
) -> DmarcOutcome:
    """Pure DMARC decision from the discovered record (RFC 9989 §4.4 alignment, relaxed or
    strict per ``aspf=``/``adkim=``)."""
    tags = parse_record(record)
    policy = tags.get("p", "none")
    if record_domain != from_domain:
        policy = tags.get("sp", policy)  # a subdomain uses sp= when the policy is inherited
    strict_spf, strict_dkim = tags.get("aspf") == "s", tags.get("adkim") == "s"
    spf_ok = spf.result == "pass" and _aligned(spf.domain, from_domain, org, strict_spf)
    dkim_ok = tuple(
        d.domain
        for d in dkim
        if d.result == "pass" and _aligned(d.domain, from_domain, org, strict_dkim)
    )
    result = "pass" if spf_ok or dkim_ok else "fail"
    why = f"SPF {'aligned' if spf_ok else 'not aligned'}, DKIM "
    why += f"{'aligned (' + ', '.join(dkim_ok) + ')' if dkim_ok else 'not aligned'}"
    return DmarcOutcome(result, from_domain, policy, record, org, spf_ok, dkim_ok, why)


def _aligned(domain: str, from_domain: str, org: str, strict: bool) -> bool:
    domain, from_domain = domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    if not domain:
        return False
    if strict:
        return domain == from_domain
    # relaxed: both share the organizational domain of the From domain
    return domain == org or domain.endswith("." + org)


def parse_record(record: str) -> dict[str, str]:
    """DMARC tag list; names and the policy values lower-cased."""
    tags: dict[str, str] = {}
    for part in record.split(";")[:50]:
        name, found, value = part.partition("=")
        if found:
            tags.setdefault(name.strip().lower(), value.strip().lower())
    return tags


async def discover(resolver: Resolver, domain: str) -> tuple[str, str] | None:
    """The DMARC record for ``domain``: its own, else the nearest ancestor's (tree walk)."""
    for name in _walk(domain):
        record = await _record(resolver, name)
        if record is not None:
            return name, record
    return None


async def organizational_domain(resolver: Resolver, domain: str, record_domain: str) -> str:
    """RFC 9989 §4.10: the shortest ancestor with a DMARC record (psd=y stops one below it);
    without any ancestor record, the domain that published the policy."""
    best = record_domain
    for name in reversed(_walk(domain)):  # shortest first
        record = await _record(resolver, name)
        if record is None:
            continue
        if parse_record(record).get("psd") == "y":
            labels = domain.split(".")
            return ".".join(labels[-(len(name.split(".")) + 1) :])
        return name
    return best


async def _record(resolver: Resolver, name: str) -> str | None:
    answer = await resolver.resolve(f"_dmarc.{name}", RRType.TXT)
    if answer.outcome is not Outcome.ANSWER:
        return None
    records = [r for r in answer.records if r.lower().startswith("v=dmarc1")]
    return records[0] if len(records) == 1 else None  # several records: none applies


def _walk(domain: str) -> list[str]:
    """The domain and its ancestors, longest first, at most ``MAX_WALK`` (no TLD alone)."""
    labels = domain.lower().rstrip(".").split(".")
    names = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return names[:1] + names[1:][-(MAX_WALK - 1) :] if names else []
