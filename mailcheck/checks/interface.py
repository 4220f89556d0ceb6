"""The check seam: what a check gets, and what it must give back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mailcheck.base.model import CheckResult
from mailcheck.dns.interface import Resolver
from mailcheck.rulefiles.profiles import SenderProfile


@dataclass(frozen=True)
class CheckContext:
    """The inputs of one run, shared by every check."""

    domain: str
    resolver: Resolver
    profile: SenderProfile | None = None


class Check(Protocol):
    """One check: ``run`` never raises for DNS trouble, it returns an ERROR finding instead."""

    name: str
    title: str

    async def run(self, context: CheckContext) -> CheckResult:
        """Gather facts, evaluate them, return findings and facts."""
        ...
