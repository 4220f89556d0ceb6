"""Facts of the ``mx`` check: the MX set and what each host's name resolves to."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.model import Facts


@dataclass(frozen=True)
class MxHost:
    """One MX target and what its name resolves to."""

    exchange: str
    preference: int
    addresses: tuple[str, ...] = ()
    cnames: tuple[str, ...] = ()
    error: str = ""  # an address lookup that could not complete


@dataclass(frozen=True)
class MxFacts(Facts):
    """What DNS says about where the domain's mail goes."""

    domain: str
    state: str  # "mx", "null", "implicit", "none", "nxdomain", "error"
    records: tuple[str, ...] = ()
    hosts: tuple[MxHost, ...] = ()
    error: str = ""
    truncated: int = 0  # MX hosts left out beyond MAX_MX_HOSTS (checks/mx.py)
