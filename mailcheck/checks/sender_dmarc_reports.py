"""Sender DMARC details a postmaster must fix: ignored records and external report destinations.

An ignored record (``v=dmarc1``, the version tag not first, tags without ``;``) otherwise shows
only as "no DMARC policy". A ``rua``/``ruf`` address outside the policy domain's organisation
receives reports only if the destination publishes
``<policy-domain>._report._dmarc.<destination>`` (RFC 7489 §7.1); without it, compliant
receivers send no reports there.
"""

from __future__ import annotations

import asyncio
import re

from mailcheck.base.errors import DnsError
from mailcheck.base.model import Finding, Status
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.facts.sender_dmarc import Destination
from mailcheck.protocols.dmarc import PolicyResult, TreeWalk
from mailcheck.protocols.dmarc.walk import StepState

_LOOKS_LIKE_DMARC = re.compile(r"^\s*v\s*=\s*dmarc|(^|;)\s*(p|rua|ruf|adkim|aspf)\s*=", re.I)
_VERSION_TAG = re.compile(r"(^|;)\s*v\s*=\s*([^;]*)", re.I)


def ignored_reason(text: str) -> str:
    """Why a TXT string at ``_dmarc`` that looks like DMARC is ignored ("" if it is not one)."""
    if not _LOOKS_LIKE_DMARC.search(text):
        return ""
    head = text.split(";", 1)[0].strip()
    version = _VERSION_TAG.search(text)
    if version is None:
        return "it has no v=DMARC1 tag, so receivers discard it (RFC 7489 §6.3, §6.6.3)"
    if not re.match(r"^v\s*=", head, re.I):
        return "v=DMARC1 is not the first tag; receivers discard it (RFC 7489 §6.3)"
    value = version.group(2).strip()
    if value.upper() == "DMARC1" and value != "DMARC1":
        return f"the version is written {head!r}: it must be exactly v=DMARC1 (RFC 7489 §6.3)"
    if value.upper().startswith("DMARC1"):
        return "the tags after v=DMARC1 are not separated by ';' (RFC 7489 §6.4)"
    return f"the version tag {head[:40]!r} is not v=DMARC1 (RFC 7489 §6.3)"


def corrected_record(text: str) -> str:
    """The ignored record rewritten as receivers read it: v=DMARC1 first, tags split by ';'."""
    tags = re.findall(r"([A-Za-z]+)\s*=\s*([^;\s]+)", text)
    kept = [f"{name.lower()}={value}" for name, value in tags if name.lower() != "v"]
    return "; ".join(("v=DMARC1", *kept))


def ignored_findings(walk: TreeWalk, domain: str) -> list[Finding]:
    """DMC015 for every walk step whose DMARC-like TXT string receivers ignore."""
    findings = []
    for step in walk.steps:
        if step.state is not StepState.NONE:
            continue
        for text in step.texts:
            reason = ignored_reason(text)
            if reason:
                summary = f"_dmarc.{step.domain} has a DMARC record receivers ignore: {reason}"
                findings.append(Finding("DMC015", Status.WARN, summary, "", domain, (text,)))
    return findings


def _is_inside(name: str, organisation: str) -> bool:
    return name == organisation or name.endswith("." + organisation)


async def gather_destinations(resolver: Resolver, result: PolicyResult) -> tuple[Destination, ...]:
    """Check every rua/ruf URI of the policy record that points outside its organisation."""
    record, policy_domain = result.record, result.policy_domain
    if record is None or not policy_domain:
        return ()
    organisation = result.organizational_domain or policy_domain
    pending = []
    for tag, uris in (("rua", record.rua), ("ruf", record.ruf)):
        for uri in uris:
            if not uri.uri.lower().startswith("mailto:"):
                pending.append(Destination(tag, uri.uri, "", "", "not-mailto"))
                continue
            host = uri.uri.rpartition("@")[2].rstrip(".").lower()
            if not _is_inside(host, organisation):
                query = f"{policy_domain}._report._dmarc.{host}"
                pending.append(Destination(tag, uri.uri, host, query, ""))
    return tuple(await asyncio.gather(*(_authorised(resolver, d) for d in pending)))


async def _authorised(resolver: Resolver, destination: Destination) -> Destination:
    if destination.state:
        return destination
    try:
        answer = await resolver.resolve(destination.query, RRType.TXT)
    except DnsError as exc:
        return _with(destination, "error", str(exc))
    found = answer.outcome is Outcome.ANSWER and any(
        re.match(r"^v\s*=\s*DMARC1(\s*;|\s*$)", t) for t in answer.records
    )
    detail = " | ".join(answer.records) or answer.outcome.value
    return _with(destination, "authorised" if found else "not-authorised", detail)


def _with(destination: Destination, state: str, detail: str) -> Destination:
    d = destination
    return Destination(d.tag, d.uri, d.domain, d.query, state, detail)


def destination_findings(domain: str, destinations: tuple[Destination, ...]) -> list[Finding]:
    """DMC016 (not authorised), DMC017 (lookup failed) and DMC018 (not a mailto: URI)."""
    findings = []
    for d in destinations:
        if d.state == "not-authorised":
            summary = (
                f"DMARC {d.tag} reports of {domain} go to {d.domain}, which has not authorised "
                f"them: receivers send none (RFC 7489 §7.1; no v=DMARC1 TXT at {d.query})"
            )
            findings.append(Finding("DMC016", Status.WARN, summary, "", domain, (d.uri, d.detail)))
        elif d.state == "error":
            summary = f"Could not check whether {d.domain} accepts the DMARC reports of {domain}"
            findings.append(
                Finding("DMC017", Status.INFO, summary, "", domain, (d.query, d.detail))
            )
        elif d.state == "not-mailto":
            summary = (
                f"DMARC {d.tag} of {domain} names a non-mailto: URI; receivers need only "
                "support mailto:, so reports may not arrive"
            )
            findings.append(Finding("DMC018", Status.INFO, summary, "", domain, (d.uri,)))
    return findings
