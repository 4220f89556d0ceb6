"""The data every part shares: statuses, findings, check results and the report.

Frozen dataclasses and tuples only; no I/O and no formatting here. A check's facts are a
frozen ``Facts`` dataclass (defined in ``mailcheck.facts``), found by type with ``facts_of``;
only ``report/json.py`` turns them into JSON data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

SCHEMA_VERSION = 1


class Status(StrEnum):
    """How a finding bears on delivery; the value is the CLI/JSON spelling."""

    PASS = "pass"
    INFO = "info"
    WARN = "warn"
    FAIL = "fail"  # mail would not be delivered, or the setup is broken
    ERROR = "error"  # we could not decide: a lookup failed or timed out

    @property
    def severity(self) -> int:
        """Rank for sorting, worst highest: an unknown (error) outranks a warning."""
        return _SEVERITY[self]


_SEVERITY = {Status.PASS: 0, Status.INFO: 1, Status.WARN: 2, Status.ERROR: 3, Status.FAIL: 4}


@dataclass(frozen=True)
class Finding:
    """One documented observation with a stable code (see ``mailcheck.base.codes``)."""

    code: str
    status: Status
    summary: str
    detail: str = ""
    subject: str = ""  # what it is about: a host name, an IP, an address
    evidence: tuple[str, ...] = ()  # the raw records it rests on


@dataclass(frozen=True)
class Facts:
    """Base of every check's typed facts: frozen, read by type (``facts_of``), never by name."""


FactsT = TypeVar("FactsT", bound=Facts)


@dataclass(frozen=True)
class CheckResult:
    """What one check found, plus the facts it gathered for the report's tables.

    ``facts`` is typed (a ``Facts``) for every check, the message analysis, the audit and the
    changes section of ``--compare``; ``None`` when a check gathered none.
    """

    check: str
    title: str
    findings: tuple[Finding, ...] = ()
    facts: Facts | None = None


def facts_of(results: Iterable[CheckResult], kind: type[FactsT]) -> FactsT | None:
    """The facts of the first result whose facts are a ``kind``, if any check gathered them."""
    for result in results:
        if isinstance(result.facts, kind):
            return result.facts
    return None


@dataclass(frozen=True)
class ProfileRef:
    """Which sender profile a report was built from, pinned by file hash."""

    id: str
    name: str
    source: str
    sha256: str


@dataclass(frozen=True)
class DnsEvidence:
    """One DNS lookup the report rests on, as answered (or failed) during the run."""

    name: str
    rrtype: str
    outcome: str  # "answer", "nxdomain", "nodata" or "error"
    records: tuple[str, ...] = ()
    ttl: int = 0
    server: str = ""
    time: str = ""
    cnames: tuple[str, ...] = ()
    error: str = ""  # why the lookup could not complete (outcome "error")


@dataclass(frozen=True)
class Report:
    """Everything one run established, ready for any renderer."""

    tool_version: str
    generated_at: str  # ISO 8601 UTC; on replay, taken from the evidence
    domain: str
    profile: ProfileRef | None
    checks: tuple[CheckResult, ...]
    command: tuple[str, ...] = ()
    dns_queries: int = 0
    schema_version: int = SCHEMA_VERSION
    evidence: tuple[DnsEvidence, ...] = ()  # every DNS answer used, sorted by name and type

    @property
    def findings(self) -> tuple[Finding, ...]:
        """All findings, worst first; ties keep check order."""
        every = [f for result in self.checks for f in result.findings]
        return tuple(sorted(every, key=lambda f: -f.status.severity))

    @property
    def worst_status(self) -> Status:
        """The most severe status of any finding (``PASS`` when there are none)."""
        return worst_status(self.findings)


def worst_status(findings: Iterable[Finding]) -> Status:
    """The most severe status among ``findings`` (``PASS`` when there are none)."""
    return max((f.status for f in findings), key=lambda s: s.severity, default=Status.PASS)
