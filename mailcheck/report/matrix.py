"""The sender matrix: sender domain × listed IP, each cell an SPF result with its trace.

Read from the ``sender-spf`` check's typed facts (``SenderSpfFacts``); for any other facts
``sender_matrix`` returns ``None`` and the report falls back to the generic facts view. Trace
lines are flattened here, bounded in depth and count, so deep include chains cannot blow up
the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mailcheck.base.model import Status
from mailcheck.facts.sender_spf import DomainSpf, IpVerdict, RecordTrace, SenderSpfFacts

MAX_DEPTH, MAX_LINES = 12, 400
# How an SPF result bears on delivery (RFC 7208 §2.6 and §8): the icon and colour of a cell.
RESULT_STATUS: Mapping[str, Status] = {
    "pass": Status.PASS,
    "neutral": Status.WARN,
    "none": Status.WARN,
    "softfail": Status.WARN,
    "fail": Status.FAIL,
    "permerror": Status.FAIL,
    "temperror": Status.ERROR,
}


@dataclass(frozen=True)
class TraceLine:
    """One SPF term as evaluated, indented by include/redirect depth."""

    depth: int
    domain: str
    term: str
    note: str
    matched: bool


@dataclass(frozen=True)
class Cell:
    """The SPF result for one domain and one IP."""

    ip: str
    result: str
    status: Status
    matched: str
    reason: str
    trace: tuple[TraceLine, ...]


@dataclass(frozen=True)
class Row:
    """One sender (or envelope) domain with its record and a cell per listed IP."""

    domain: str
    role: str
    environment: str
    record: str
    error: str
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True)
class Matrix:
    """Columns are the profile's listed IPs; rows are its domains."""

    ips: tuple[str, ...]
    rows: tuple[Row, ...]


def sender_matrix(facts: object) -> Matrix | None:
    """The matrix of ``SenderSpfFacts``; ``None`` for other facts or when nothing was checked
    (the report then shows the generic facts view)."""
    if not isinstance(facts, SenderSpfFacts) or not facts.listed or not facts.domains:
        return None
    # A bulk run's reports share one facts object, and the verdict and the HTML each ask:
    # the (frozen) matrix is built once per object.
    known = _MATRICES.get(id(facts))
    if known is not None and known[0] is facts:
        return known[1]
    matrix = Matrix(facts.listed, tuple(_row(d, facts.listed) for d in facts.domains))
    if len(_MATRICES) >= _MATRICES_KEPT:
        _MATRICES.clear()
    _MATRICES[id(facts)] = (facts, matrix)  # holding the facts keeps their id unique
    return matrix


_MATRICES: dict[int, tuple[SenderSpfFacts, Matrix]] = {}
_MATRICES_KEPT = 8


def _row(domain: DomainSpf, ips: tuple[str, ...]) -> Row:
    by_ip = {v.ip: _cell(v) for v in domain.verdicts}
    return Row(
        domain.domain,
        domain.role,
        domain.environment,
        domain.record,
        domain.error,
        tuple(by_ip.get(ip) for ip in ips),
    )


def _cell(verdict: IpVerdict) -> Cell:
    result = verdict.result.lower()
    lines: list[TraceLine] = []
    if verdict.trace is not None:
        _flatten(verdict.trace, 0, lines)
    return Cell(
        verdict.ip,
        result or "unknown",
        RESULT_STATUS.get(result, Status.ERROR),
        verdict.matched,
        verdict.reason,
        tuple(lines),
    )


def _flatten(record: RecordTrace, depth: int, lines: list[TraceLine]) -> None:
    domain, strings = record.domain, record.strings
    if len(strings) > 1:  # RFC 7208 §3.3: receivers join the strings with nothing between
        sizes = " + ".join(str(len(s.encode())) for s in strings)
        note = f"{sizes} octets, joined without spaces: " + " | ".join(map(repr, strings))
        lines.append(
            TraceLine(depth, domain, f"(record split into {len(strings)} TXT strings)", note, False)
        )
    for term in record.terms:
        if len(lines) >= MAX_LINES or depth > MAX_DEPTH:
            return
        text, target = term.term, term.target
        shown = f"{text} → {target}" if target and target not in text else text
        lines.append(TraceLine(depth, domain, shown, term.note, term.matched))
        if term.child is not None:
            _flatten(term.child, depth + 1, lines)
