"""Snippet facts from a finished ``Report``: which listed IPs are shared infrastructure.

Reads the JSON-compatible facts of the ``shared-infrastructure`` check (``model`` data only, no
import of ``checks``). When any documented single IP could not be decided, the answer is "not
checked" (None), so IP snippets stay HIGH risk rather than being called dedicated by mistake.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from mailcheck.model import CheckResult, Report
from mailcheck.snippets.interface import SnippetFacts

SHARED_INFRA_CHECK = "shared-infrastructure"


def facts_from_report(report: Report, provider: str | None = None) -> SnippetFacts:
    """The facts snippets need, from a report; ``provider`` is the detected filter id."""
    return facts_from_results(report.checks, provider)


def facts_from_results(results: Sequence[CheckResult], provider: str | None = None) -> SnippetFacts:
    """The same, from check results before they become a report (``app.build_report``)."""
    result = next((c for c in results if c.check == SHARED_INFRA_CHECK), None)
    shared = (
        shared_ips_from_facts(result.facts)
        if result is not None and isinstance(result.facts, Mapping)
        else None
    )
    return SnippetFacts(shared_ips=shared, provider=provider)


def shared_ips_from_facts(facts: Mapping[str, Any]) -> dict[str, str] | None:
    """IP text -> service names for documented single IPs; None if any is undecided."""
    shared: dict[str, str] = {}
    owners = facts.get("owners")
    if not isinstance(owners, list | tuple):
        return None
    for owner in owners:
        if not isinstance(owner, Mapping) or not owner.get("documented"):
            continue
        try:
            network = ipaddress.ip_network(str(owner.get("network", "")))
        except ValueError:
            return None
        if network.num_addresses != 1:
            continue
        if owner.get("undecided"):
            return None
        services = [str(s) for s in owner.get("services") or ()]
        if services:
            shared[str(network.network_address)] = ", ".join(sorted(services))
    return shared
