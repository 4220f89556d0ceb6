"""SPF and DMARC for one received message: the narrow seam between the sink and the evaluators.

SPF is ``check_host()`` for the client IP (the PROXY-given one when present) and MAIL FROM, or
``postmaster@HELO`` for a null sender (RFC 7208 §2.4). DMARC (RFC 9989) takes the From
header's domain, discovers its policy by the DNS Tree Walk and checks SPF and DKIM alignment.
"""

from __future__ import annotations

from typing import Any

from mailcheck.dmarc import (
    Discovery,
    PolicyResult,
    discover_policy,
    evaluate_message,
    org_domains_of,
    walk_all,
)
from mailcheck.dmarc.author import Author
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
    author: Author,
    spf: dict[str, Any],
    dkim: list[dict[str, Any]],
) -> dict[str, Any]:
    """DMARC for the Author Domain given the SPF and DKIM results."""
    if not author.domain:
        # Evaluation cannot even start: a permanent error in RFC 8601 §2.7.2's terms.
        detail = f"{author.problem}: DMARC cannot name an Author Domain; receivers may reject"
        return {"result": "permerror", "detail": detail}
    dkim_pairs = [(str(r["domain"]), str(r["result"])) for r in dkim if r["domain"]]
    domains = [author.domain, spf.get("domain", ""), *(d for d, _ in dkim_pairs)]
    walks = await walk_all(resolver, domains)
    policy = discover_policy(walks[author.domain])
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
        "detail": _policy_detail(policy),
    }


def _policy_detail(policy: PolicyResult) -> str:
    """One line on where the policy came from, for ``sink show`` and the sink report."""
    where = policy.policy_domain or policy.author_domain
    match policy.state:
        case Discovery.FOUND:
            return f"{policy.applied_tag or 'p'}={policy.policy} from _dmarc.{where}"
        case Discovery.UNUSABLE:
            return f"the record at _dmarc.{where} is unusable: no policy applies"
        case Discovery.ERROR:
            return f"policy lookup failed: {policy.error}"
        case _:
            return f"no DMARC record for {policy.author_domain} or its organizational domain"
