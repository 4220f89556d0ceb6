"""Strict reading of an untrusted snapshot file: bounded JSON, then one checker per field.

Snapshots and evidence files travel between people (a report's ``evidence.json`` is replayed
elsewhere), so every value is checked for type and form before any check sees it. Each
checker raises ``FieldError`` naming the field path, e.g. ``answers["a.example"].MX.records[0]``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from mailcheck.base.nesting import MAX_DEPTH, too_deep
from mailcheck.dns.interface import RRType

MAX_TTL = 2**31 - 1  # RFC 2181 §8
MAX_RECORD = 65_535  # no record's text form is longer than a DNS message
EARLIEST = datetime(1985, 1, 1, tzinfo=UTC)  # before DNS, a time is made up
FUTURE_SLACK = timedelta(days=1)  # clock skew; evidence is always from the past
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$")
_NAME = re.compile(r"^[\x21-\x7e]{1,1024}$")  # dnspython's text form: printable, escaped
_MX = re.compile(r"^(\d{1,5}) (\S{1,1024})$")
_TLSA = re.compile(r"^\d{1,3} \d{1,3} \d{1,3} [0-9a-f]{0,8192}$")


class FieldError(ValueError):
    """One field of the snapshot is wrong; ``field`` is its path."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


def parse_document(text: str) -> Mapping[str, Any]:
    """The JSON object of a snapshot; too deep, non-finite numbers or not an object raise."""
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise FieldError("(document)", f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        detail = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise FieldError("(document)", f"not a JSON snapshot ({detail})") from None
    except ValueError as exc:
        raise FieldError("(document)", f"not JSON: {exc}") from None
    if too_deep(document, MAX_DEPTH):
        raise FieldError("(document)", f"JSON nested deeper than {MAX_DEPTH} levels")
    if not isinstance(document, dict):
        raise FieldError("(document)", "expected a JSON object")
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number snapshots use")


def obj(value: Any, field: str) -> Mapping[str, Any]:
    """A JSON object."""
    if not isinstance(value, dict):
        raise FieldError(field, f"expected an object, got {_kind(value)}")
    return value


def text(value: Any, field: str, *, limit: int = MAX_RECORD) -> str:
    """A JSON string of at most ``limit`` characters."""
    if not isinstance(value, str):
        raise FieldError(field, f"expected a string, got {_kind(value)}")
    if len(value) > limit:
        raise FieldError(field, f"longer than {limit} characters")
    return value


def strings(value: Any, field: str, *, limit: int = MAX_RECORD) -> tuple[str, ...]:
    """A JSON array of strings."""
    if not isinstance(value, list):
        raise FieldError(field, f"expected an array of strings, got {_kind(value)}")
    return tuple(text(v, f"{field}[{i}]", limit=limit) for i, v in enumerate(value))


def timestamp(value: Any, field: str, now: datetime | None = None) -> str:
    """An ISO 8601 time with a zone, between 1985 and (about) now; returned unchanged."""
    raw = text(value, field, limit=40)
    if not _TIMESTAMP.match(raw):
        raise FieldError(field, f"{raw!r} is not an ISO 8601 time such as 2026-11-22T09:00:00Z")
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FieldError(field, f"{raw!r}: {exc}") from None
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    if not EARLIEST <= when <= latest:
        raise FieldError(field, f"{raw!r} is not a plausible recording time")
    return raw


def ttl(value: Any, field: str) -> int:
    """A TTL: a whole number from 0 to 2^31-1 (RFC 2181)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TTL:
        raise FieldError(field, f"expected a whole number 0..{MAX_TTL}, got {_short(value)}")
    return value


def records(rrtype: RRType, value: Any, field: str) -> tuple[str, ...]:
    """The records of one answer, each in the text form ``Answer`` documents for its type."""
    found = strings(value, field)
    for index, record in enumerate(found):
        problem = _record_problem(rrtype, record)
        if problem is not None:
            raise FieldError(f"{field}[{index}]", f"{_short(record)} is not {problem}")
    return found


def _record_problem(rrtype: RRType, record: str) -> str | None:
    match rrtype:
        case RRType.A | RRType.AAAA:
            return None if _is_address(record, 4 if rrtype is RRType.A else 6) else "an address"
        case RRType.MX:
            match = _MX.match(record)
            ok = match is not None and int(match[1]) <= 65535 and _NAME.match(match[2])
            return None if ok else "'<preference> <exchange>'"
        case RRType.CNAME | RRType.NS | RRType.PTR:
            return None if _NAME.match(record) else "a domain name"
        case RRType.TLSA:
            return None if _TLSA.match(record) else "'<usage> <selector> <type> <hex>'"
    return None  # TXT/SPF/SOA: free text, escaped wherever it is shown


def name(value: Any, field: str) -> str:
    """A domain name in the snapshot's text form."""
    raw = text(value, field, limit=1024)
    if raw and not _NAME.match(raw):
        raise FieldError(field, f"{_short(raw)} is not a domain name")
    return raw


def _is_address(raw: str, version: int) -> bool:
    if "%" in raw:  # an IPv6 scope id is input text, not an address
        return False
    try:
        return ipaddress.ip_address(raw).version == version
    except ValueError:
        return False


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false"}
    return names.get(type(value), "null" if value is None else "a number")


def _short(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
