"""Orchestrate ``mailcheck analyze``: read the inputs, build the org context once, analyse
each message against the one resolver of the run."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import BinaryIO

from mailcheck.dns.snapshot import EvidenceResolver, evidence_rows
from mailcheck.errors import UsageError
from mailcheck.message import analyze_to_report, org_context, read_inputs
from mailcheck.message.org import Network, org_domain_name
from mailcheck.model import Report
from mailcheck.profiles import SenderProfile


def parse_networks(texts: list[str]) -> tuple[Network, ...]:
    """``--org-network`` values; a bad one is a usage error naming it."""
    try:
        return tuple(ipaddress.ip_network(t, strict=False) for t in texts)
    except ValueError as exc:
        raise UsageError(f"--org-network: {exc}") from exc


async def analyze_messages(
    source: str,
    stdin: BinaryIO | None,
    resolver: EvidenceResolver,
    *,
    org_domain: str | None = None,
    networks: tuple[Network, ...] = (),
    authserv_ids: tuple[str, ...] = (),
    profile: SenderProfile | None = None,
    generated_at: str = "",
    command: tuple[str, ...] = (),
) -> tuple[Report, ...]:
    """One report per message found at ``source``."""
    domain = None
    if org_domain is not None:
        domain = org_domain_name(org_domain)
        if domain is None:
            raise UsageError(f"--org-domain: {org_domain!r} is not a valid mail domain")
    ids = tuple(a.lower() for a in authserv_ids)
    org, problems = await org_context(resolver, domain, networks, ids)
    reports = [
        await analyze_to_report(item, resolver, org, profile, generated_at, command, problems)
        for item in read_inputs(source, stdin)
    ]
    if not reports:
        raise UsageError(f"{source}: no messages found")
    # the run's one resolver served every message: each report carries the whole evidence
    evidence = resolver.evidence()
    rows = evidence_rows(evidence)
    return tuple(replace(r, dns_queries=len(evidence.entries), evidence=rows) for r in reports)
