"""Which DMARC policy applies to an Author Domain, alignment, and what a receiver decides.

All pure functions over finished ``TreeWalk`` values, so they are tested on literal data; the
one async helper (``walk_all``) only gathers walks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mailcheck.dns.interface import Resolver, normalize_name
from mailcheck.protocols.dmarc.record import Alignment, DmarcRecord, Policy, PsdFlag
from mailcheck.protocols.dmarc.walk import StepState, TreeWalk, organizational_domain, tree_walk


class Discovery(StrEnum):
    """The outcome of policy discovery."""

    FOUND = "found"  # a usable record applies
    NONE = "none"  # no record anywhere on the walk: DMARC does not apply
    UNUSABLE = "unusable"  # a record applies but a bad p/sp/np without valid rua disables it
    ERROR = "error"  # a lookup failed: could not decide


@dataclass(frozen=True)
class PolicyResult:
    """The policy for one Author Domain and where it came from."""

    author_domain: str
    state: Discovery
    policy_domain: str = ""
    record: DmarcRecord | None = None
    applied_tag: str = ""  # "p", "sp" or "np"; "sp/np" when existence is unknown
    policy: Policy | None = None
    organizational_domain: str | None = None
    error: str = ""


def discover_policy(walk: TreeWalk, author_exists: bool | None = True) -> PolicyResult:
    """RFC 9989 §4.10.1 over a walk that started at the Author Domain."""
    author = walk.start
    org = organizational_domain(walk)
    first = walk.steps[0] if walk.steps else None
    if first is not None and first.state is StepState.ERROR:
        return PolicyResult(author, Discovery.ERROR, error=first.reason)
    if first is not None and first.record is not None:
        return _result(author, first.domain, first.record, "p", org, walk.error)
    if walk.error:
        return PolicyResult(author, Discovery.ERROR, error=walk.error)
    chosen = _policy_step_domain(walk, org)
    if chosen is None:
        return PolicyResult(author, Discovery.NONE, organizational_domain=org)
    record = next(s.record for s in walk.found if s.domain == chosen)
    assert record is not None  # found steps always carry a record
    tag = {True: "sp", False: "np", None: "sp/np"}[author_exists]
    return _result(author, chosen, record, tag, org, "")


def _policy_step_domain(walk: TreeWalk, org: str | None) -> str | None:
    """Organizational Domain's record first, else the Public Suffix Domain's (psd=y)."""
    found = {s.domain: s for s in walk.found}
    if org in found:
        return org
    psd = [s.domain for s in walk.found if s.psd is PsdFlag.YES]
    return psd[0] if psd else None


def _result(
    author: str, where: str, record: DmarcRecord, tag: str, org: str | None, error: str
) -> PolicyResult:
    if not record.usable:
        return PolicyResult(author, Discovery.UNUSABLE, where, record, tag, None, org, error)
    policy = {
        "p": record.policy,
        "sp": record.subdomain_policy,
        "np": record.nonexistent_policy,
        "sp/np": record.subdomain_policy,
    }[tag]
    return PolicyResult(author, Discovery.FOUND, where, record, tag, policy, org, error)


def is_aligned(
    author: str, identifier: str, mode: Alignment, org_domains: Mapping[str, str | None]
) -> bool | None:
    """Identifier alignment (RFC 9989 §3.2.2); None when an Organizational Domain is unknown."""
    author, identifier = normalize_name(author), normalize_name(identifier)
    if author == identifier:
        return True
    if mode is Alignment.STRICT:
        return False
    left, right = org_domains.get(author), org_domains.get(identifier)
    if left is None or right is None:
        return None
    return left == right


async def walk_all(resolver: Resolver, domains: Iterable[str]) -> dict[str, TreeWalk]:
    """Walk from each distinct domain (concurrently; the resolver cache shares queries)."""
    names = sorted({normalize_name(d) for d in domains if d})
    walks = await asyncio.gather(*(tree_walk(resolver, name) for name in names))
    return dict(zip(names, walks, strict=True))


def org_domains_of(walks: Mapping[str, TreeWalk]) -> dict[str, str | None]:
    """The Organizational Domain of every walked domain (None where undecided)."""
    return {name: organizational_domain(walk) for name, walk in walks.items()}


@dataclass(frozen=True)
class MessageVerdict:
    """What a receiver concludes for one message (used for conformance and analysis)."""

    status: str  # pass, fail, none, temperror, permerror
    aligned_spf: bool = False
    aligned_dkim: bool = False
    apply_policy: bool = False  # enforce the policy (False with no record or t=y)
    reject: bool = False  # the policy asks to quarantine or reject this message


def evaluate_message(
    result: PolicyResult,
    dkim: Sequence[tuple[str, str]],
    spf: tuple[str, str],
    org_domains: Mapping[str, str | None],
) -> MessageVerdict:
    """RFC 9989 §4.7/§5: aligned pass of SPF or DKIM; temperror when that is all we have."""
    if result.state is Discovery.ERROR:
        return MessageVerdict("temperror")
    if result.state is not Discovery.FOUND or result.record is None:
        return MessageVerdict("none")  # no record, or unusable: no DMARC processing (§4.10.1)
    record, author = result.record, result.author_domain
    spf_result, spf_domain = spf
    aligned_spf = spf_result == "pass" and bool(
        is_aligned(author, spf_domain, record.aspf, org_domains)
    )
    aligned_dkim = any(
        r == "pass" and bool(is_aligned(author, d, record.adkim, org_domains)) for d, r in dkim
    )
    apply = not record.test_mode
    if aligned_spf or aligned_dkim:
        return MessageVerdict("pass", aligned_spf, aligned_dkim, apply)
    if spf_result == "temperror" or any(r == "temperror" for _, r in dkim):
        return MessageVerdict("temperror", apply_policy=apply)
    enforce = result.policy in (Policy.QUARANTINE, Policy.REJECT)
    return MessageVerdict("fail", apply_policy=apply, reject=enforce)
