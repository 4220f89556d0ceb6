"""SPF and DMARC for one received message: the narrow seam between the sink and the evaluators.

SPF is ``check_host()`` for the client IP (the PROXY-given one when present) and MAIL FROM, or
``postmaster@HELO`` for a null sender (RFC 7208 §2.4). DMARC (RFC 9989) takes the From
header's domain, discovers its policy by the DNS Tree Walk and checks SPF and DKIM alignment.
"""

from __future__ import annotations

from typing import Any

from mailcheck.dmarc import discover_policy, evaluate_message, org_domains_of, walk_all
from mailcheck.dns.interface import Resolver, normalize_name
from mailcheck.spf.evaluate import check_host


async def spf_result(resolver: Resolver, ip: str, mail_from: str, helo: str) -> dict[str, Any]:
    """SPF for the envelope: result, the domain checked, and a one-line reason."""
    domain = mail_from.rpartition("@")[2] if mail_from else helo
    sender = mail_from or f"postmaster@{helo}"
    if not domain:
        return {"result": "none", "domain": "", "detail": "no MAIL FROM domain and no HELO"}
    try:
        outcome = await check_host(resolver, ip, domain, sender, helo=helo)
    except ValueError as exc:  # the client IP is not an IP (cannot happen with real sockets)
        return {"result": "permerror", "domain": domain, "detail": str(exc)}
    detail = outcome.explanation or outcome.reason
    return {"result": str(outcome.result), "domain": normalize_name(domain), "detail": detail}


async def dmarc_result(
    resolver: Resolver,
    from_domain: str,
    spf: dict[str, Any],
    dkim: list[dict[str, Any]],
) -> dict[str, Any]:
    """DMARC for the From domain given the SPF and DKIM results."""
    if not from_domain:
        return {"result": "none", "detail": "no From address: DMARC cannot apply"}
    dkim_pairs = [(str(r["domain"]), str(r["result"])) for r in dkim if r["domain"]]
    domains = [from_domain, spf.get("domain", ""), *(d for d, _ in dkim_pairs)]
    walks = await walk_all(resolver, domains)
    author = normalize_name(from_domain)
    policy = discover_policy(walks[author])
    verdict = evaluate_message(
        policy, dkim_pairs, (str(spf["result"]), str(spf.get("domain", ""))), org_domains_of(walks)
    )
    return {
        "result": verdict.status,
        "policy": str(policy.policy) if policy.policy else None,
        "policy_domain": policy.policy_domain,
        "aligned_spf": verdict.aligned_spf,
        "aligned_dkim": verdict.aligned_dkim,
        "policy_would_act": verdict.apply_policy and verdict.reject,
        "detail": policy.error or str(policy.state),
    }
