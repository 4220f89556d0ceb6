"""Predict, per sender address, whether DMARC can pass via SPF or only via DKIM.

DMARC passes through SPF only when the RFC5321.MailFrom (envelope) domain aligns with the
RFC5322.From domain. SaaS senders often use their own bounce domain, so SPF passes but does
not align, and DMARC then rests on DKIM alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mailcheck.protocols.dmarc.policy import Discovery, PolicyResult, is_aligned
from mailcheck.protocols.dmarc.record import Alignment


class Route(StrEnum):
    """Whether an authentication method can give DMARC an aligned pass."""

    ALIGNED = "aligned"  # at least one documented domain aligns
    NOT_ALIGNED = "not-aligned"  # the documented domains do not align
    UNKNOWN = "unknown"  # the profile documents no such domain: cannot be assumed
    UNDECIDED = "undecided"  # an Organizational Domain lookup failed
    NOT_APPLICABLE = "not-applicable"  # no DMARC policy applies to the author domain


@dataclass(frozen=True)
class Prediction:
    """The prediction for one sender address (wildcards included, e.g. ``*@domain``)."""

    address: str
    author_domain: str
    spf: Route
    dkim: Route
    aligned_envelope: tuple[str, ...] = ()
    unaligned_envelope: tuple[str, ...] = ()
    aligned_dkim: tuple[str, ...] = ()
    unaligned_dkim: tuple[str, ...] = ()


def predict(
    address: str,
    result: PolicyResult,
    envelope_domains: Sequence[str],
    dkim_domains: Sequence[str],
    org_domains: Mapping[str, str | None],
) -> Prediction:
    """Pure: route of each method given the documented envelope and DKIM domains."""
    author = result.author_domain
    if result.state is not Discovery.FOUND or result.record is None:
        route = Route.UNDECIDED if result.state is Discovery.ERROR else Route.NOT_APPLICABLE
        return Prediction(address, author, route, route)
    record = result.record
    spf, spf_yes, spf_no = _route(author, envelope_domains, record.aspf, org_domains)
    dkim, dkim_yes, dkim_no = _route(author, dkim_domains, record.adkim, org_domains)
    return Prediction(address, author, spf, dkim, spf_yes, spf_no, dkim_yes, dkim_no)


def _route(
    author: str, domains: Sequence[str], mode: Alignment, org_domains: Mapping[str, str | None]
) -> tuple[Route, tuple[str, ...], tuple[str, ...]]:
    if not domains:
        return Route.UNKNOWN, (), ()
    verdicts = {d: is_aligned(author, d, mode, org_domains) for d in sorted(set(domains))}
    yes = tuple(d for d, v in verdicts.items() if v is True)
    no = tuple(d for d, v in verdicts.items() if v is False)
    if yes:
        return Route.ALIGNED, yes, no
    if any(v is None for v in verdicts.values()):
        return Route.UNDECIDED, yes, no
    return Route.NOT_ALIGNED, yes, no
