"""Snippet facts from a finished ``Report``: which listed IPs are shared infrastructure.

Reads the typed facts of the ``shared-infrastructure`` check (``mailcheck.facts``, no import
of ``checks``). When any documented single IP could not be decided, the answer is "not
checked" (None), so IP snippets stay HIGH risk rather than being called dedicated by mistake.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from mailcheck.base.model import CheckResult, Report, facts_of
from mailcheck.facts.shared_infra import SharedInfraFacts
from mailcheck.snippets.interface import SnippetFacts


def facts_from_report(report: Report, provider: str | None = None) -> SnippetFacts:
    """The facts snippets need, from a report; ``provider`` is the detected filter id."""
    return facts_from_results(report.checks, provider)


def facts_from_results(results: Sequence[CheckResult], provider: str | None = None) -> SnippetFacts:
    """The same, from check results before they become a report (``app.build_report``)."""
    facts = facts_of(results, SharedInfraFacts)
    shared = shared_ips_from_facts(facts) if facts is not None else None
    return SnippetFacts(shared_ips=shared, provider=provider)


def shared_ips_from_facts(facts: SharedInfraFacts) -> dict[str, str] | None:
    """IP text -> service names for documented single IPs; None if any is undecided."""
    shared: dict[str, str] = {}
    for owner in facts.owners:
        if not owner.documented:
            continue
        try:
            network = ipaddress.ip_network(owner.network)
        except ValueError:
            return None
        if network.num_addresses != 1:
            continue
        if owner.undecided:
            return None
        if owner.services:
            shared[str(network.network_address)] = ", ".join(sorted(owner.services))
    return shared
