"""What an SPF evaluation returns: the result, and the trace of how it was reached."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SpfResult(StrEnum):
    """The seven results of ``check_host()`` (RFC 7208 §2.6)."""

    NONE = "none"
    NEUTRAL = "neutral"
    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


@dataclass(frozen=True)
class TermTrace:
    """One term visited: what it looked up, whether it matched, and what it cost."""

    term: str  # as written in the record
    target: str = ""  # the domain it looked up, after macro expansion
    matched: bool = False
    lookups: int = 0  # DNS-lookup budget used by this term, nested includes included (§4.6.4)
    void_lookups: int = 0  # void lookups (NXDOMAIN / no data) caused by this term
    note: str = ""  # what DNS said, or why the term errored
    child: RecordTrace | None = None  # the evaluation an include or redirect led to


@dataclass(frozen=True)
class RecordTrace:
    """One ``check_host()`` step: the domain, its record, the terms visited, the result."""

    domain: str
    result: SpfResult
    record: str = ""  # the SPF record text; empty when there is none
    terms: tuple[TermTrace, ...] = ()
    matched: str = ""  # the term that decided the result ("" = default or error)
    reason: str = ""  # why, for none / permerror / temperror and default results
    explanation: str = ""  # the exp= text, when this record's own mechanism gave fail
    strings: tuple[str, ...] = ()  # the TXT character-strings, when the record is split (§3.3)

    def walk(self) -> tuple[RecordTrace, ...]:
        """This record and every record reached through include/redirect, depth first."""
        found: list[RecordTrace] = [self]
        for term in self.terms:
            if term.child is not None:
                found.extend(term.child.walk())
        return tuple(found)


@dataclass(frozen=True)
class SpfOutcome:
    """The answer of ``check_host()``: result, explanation (for fail), and the trace."""

    result: SpfResult
    trace: RecordTrace
    explanation: str = ""
    lookups: int = 0  # DNS-lookup terms evaluated, across all nested records
    void_lookups: int = 0

    @property
    def reason(self) -> str:
        """The deepest reason recorded for an error result, for one-line summaries."""
        reasons = [r.reason for r in self.trace.walk() if r.reason]
        return reasons[-1] if reasons else self.trace.reason
