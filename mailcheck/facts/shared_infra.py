"""Facts of the ``shared-infrastructure`` check: which shared services' live SPF authorizes
each listed network (Amazon SES, Mailgun...), and each service's SPF as far as it could be read."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class ServiceSpf:
    """One service's live SPF, as far as it could be read."""

    id: str
    name: str
    includes: tuple[str, ...]
    networks: int = 0  # networks its SPF authorizes
    errors: tuple[str, ...] = ()  # include domains that yield no usable record
    temporary: bool = False  # some error was a lookup that could not complete
    unexpandable: tuple[str, ...] = ()


@dataclass(frozen=True)
class IpOwner:
    """Which services' SPF authorizes one profile network."""

    network: str
    documented: bool
    services: tuple[str, ...] = ()  # service names that authorize it
    via: tuple[str, ...] = ()  # the SPF steps that say so
    undecided: tuple[str, ...] = ()  # services whose SPF could not answer for it
    undecided_temporary: bool = False


@dataclass(frozen=True)
class SharedInfraFacts(Facts):
    """Every listed network against every known shared service."""

    profile: str
    services: tuple[ServiceSpf, ...]
    owners: tuple[IpOwner, ...]
