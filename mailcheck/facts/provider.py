"""Facts of the ``provider`` check: the filtering service matched to each MX host."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class ProviderHost:
    """One MX host and the provider it was matched to."""

    exchange: str
    preference: int
    provider: str
    method: str  # "name", "address" or "none"
    evidence: str = ""


@dataclass(frozen=True)
class ProviderFacts(Facts):
    """The provider behind each MX host, and the primary one."""

    domain: str
    state: str  # the MX check's state: "mx", "implicit", "null", "none", "nxdomain", "error"
    provider: str = ""  # primary provider id, SELF_HOSTED, or "" when there is no MX host
    provider_name: str = ""
    providers: tuple[str, ...] = ()  # every provider seen, most-preferred first
    hosts: tuple[ProviderHost, ...] = ()
    error: str = ""
