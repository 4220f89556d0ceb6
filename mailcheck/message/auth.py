"""The seam through which message analysis gets SPF and DMARC answers.

``AuthEvaluator`` is the narrow interface: SPF for (entry IP, MAIL FROM, HELO) and DMARC for
(From domain, SPF outcome, DKIM results). ``BuiltinAuthEvaluator`` implements it with the
project's RFC 7208 evaluator (``mailcheck.protocols.spf.check_host``) and RFC 9989 DMARC module
(``mailcheck.protocols.dmarc``: DNS Tree Walk, Organizational Domains, alignment, policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mailcheck.dns.interface import Resolver, normalize_name
from mailcheck.protocols.dkim import DkimResult
from mailcheck.protocols.dmarc import (
    Discovery,
    MessageVerdict,
    PolicyResult,
    discover_policy,
    evaluate_message,
    is_aligned,
    org_domains_of,
    walk_all,
)
from mailcheck.protocols.spf import check_host

MAX_IDENTIFIERS = 12  # From, MAIL FROM and up to 10 DKIM d=: each gets one tree walk


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
        """See ``AuthEvaluator.dmarc``: policy discovery on the From domain's tree walk,
        alignment against the Organizational Domains of every identifier (RFC 9989)."""
        author = normalize_name(from_domain)
        identifiers = [author, spf.domain, *(d.domain for d in dkim)]
        walks = await walk_all(self._resolver, [d for d in identifiers if d][:MAX_IDENTIFIERS])
        orgs = org_domains_of(walks)
        # whether the author domain exists is not looked up: sp and np are read as sp
        policy = discover_policy(walks[author], author_exists=None)
        signed = [(d.domain, d.result) for d in dkim]
        verdict = evaluate_message(policy, signed, (spf.result, spf.domain), orgs)
        return _outcome(author, policy, verdict, dkim, orgs)


def _outcome(
    author: str,
    policy: PolicyResult,
    verdict: MessageVerdict,
    dkim: tuple[DkimResult, ...],
    orgs: dict[str, str | None],
) -> DmarcOutcome:
    record = policy.record
    aligned = tuple(
        d.domain
        for d in dkim
        if record is not None
        and d.result == "pass"
        and is_aligned(author, d.domain, record.adkim, orgs)
    )
    if verdict.status == "temperror":
        why = policy.error or "an SPF or DKIM result was temperror"
    elif policy.state is Discovery.NONE:
        why = "no DMARC record on the tree walk"
    elif policy.state is Discovery.UNUSABLE:
        why = "the DMARC record has a bad policy and no valid rua: DMARC does not apply"
    else:
        why = f"SPF {'aligned' if verdict.aligned_spf else 'not aligned'}, DKIM "
        why += f"aligned ({', '.join(aligned)})" if aligned else "not aligned"
        tag = "sp" if policy.applied_tag == "sp/np" else policy.applied_tag  # existence unknown
        why += f"; policy from {policy.policy_domain} ({tag}=)"
        why += "; t=y: test mode, not enforced" if record is not None and record.test_mode else ""
    return DmarcOutcome(
        verdict.status,
        author,
        policy.policy.value if policy.policy else None,
        record.text if record else "",
        policy.organizational_domain or "",
        verdict.aligned_spf,
        aligned,
        why,
    )
