"""The sender matrix: sender domain × listed IP, each cell an SPF result with its trace.

Read defensively from the ``sender-spf`` check's facts (``SenderSpfFacts`` as
``dataclasses.asdict``): if the shape is not recognised, ``sender_matrix`` returns ``None``
and the report falls back to the generic facts view instead of failing. Trace lines are
flattened here, bounded in depth and count, so hostile or looping data cannot blow up the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mailcheck.model import Status

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


def sender_matrix(facts: Mapping[str, Any]) -> Matrix | None:
    """The matrix, or ``None`` when the facts do not have the expected shape."""
    ips, domains = _strings(facts.get("listed")), facts.get("domains")
    if not ips or not isinstance(domains, Sequence) or isinstance(domains, str):
        return None
    rows = [_row(d, ips) for d in domains if isinstance(d, Mapping)]
    return Matrix(ips, tuple(rows)) if rows else None


def _row(domain: Mapping[str, Any], ips: tuple[str, ...]) -> Row:
    verdicts = domain.get("verdicts")
    by_ip = {
        v.get("ip"): _cell(v)
        for v in (verdicts if isinstance(verdicts, Sequence) else ())
        if isinstance(v, Mapping)
    }
    return Row(
        _str(domain, "domain"),
        _str(domain, "role"),
        _str(domain, "environment"),
        _str(domain, "record"),
        _str(domain, "error"),
        tuple(by_ip.get(ip) for ip in ips),
    )


def _cell(verdict: Mapping[str, Any]) -> Cell:
    result = _str(verdict, "result").lower()
    trace = verdict.get("trace")
    lines: list[TraceLine] = []
    if isinstance(trace, Mapping):
        _flatten(trace, 0, lines)
    return Cell(
        _str(verdict, "ip"),
        result or "unknown",
        RESULT_STATUS.get(result, Status.ERROR),
        _str(verdict, "matched"),
        _str(verdict, "reason"),
        tuple(lines),
    )


def _flatten(record: Mapping[str, Any], depth: int, lines: list[TraceLine]) -> None:
    domain, terms = _str(record, "domain"), record.get("terms")
    strings = _strings(record.get("strings"))
    if len(strings) > 1:  # RFC 7208 §3.3: receivers join the strings with nothing between
        sizes = " + ".join(str(len(s.encode())) for s in strings)
        note = f"{sizes} octets, joined without spaces: " + " | ".join(map(repr, strings))
        lines.append(
            TraceLine(depth, domain, f"(record split into {len(strings)} TXT strings)", note, False)
        )
    for term in terms if isinstance(terms, Sequence) else ():
        if len(lines) >= MAX_LINES or depth > MAX_DEPTH or not isinstance(term, Mapping):
            return
        text, target = _str(term, "term"), _str(term, "target")
        shown = f"{text} → {target}" if target and target not in text else text
        lines.append(
            TraceLine(depth, domain, shown, _str(term, "note"), term.get("matched") is True)
        )
        child = term.get("child")
        if isinstance(child, Mapping):
            _flatten(child, depth + 1, lines)


def _str(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key, "")
    return value if isinstance(value, str) else ""


def _strings(value: Any) -> tuple[str, ...]:
    """The value as a tuple of strings, or ``()`` when it is anything else."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if all(isinstance(v, str) for v in value):
            return tuple(value)
    return ()
