"""Dates in the shapes MTAs really write after a Received field's ';' (RFC 5322 §3.3 and
beyond): fractional seconds (``02:54:16.987 +0000``), Go's ``time.Time`` default format that
SendGrid writes (``2018-04-22 02:54:17.028704749 +0000 UTC``, sometimes with Go's
monotonic-clock suffix ``m=+12345.678901234``), and trailing comments.
Unreadable text is ``None``, never an exception."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_COMMENT = re.compile(r"\([^()]*\)")
_FRACTION = re.compile(r"(\d{1,2}:\d{2}:\d{2})\.\d{1,9}\b")
_GO_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?\s*"
    r"(?:([+-])(\d{2}):?(\d{2})|Z)(?:\s+[A-Z]{1,5})?(?:\s+m=[+-]\d{1,12}(?:\.\d{1,9})?)?$"
)


def parse_date(text: str) -> datetime | None:
    """An aware datetime, or None when the text is not a date (fractions are dropped:
    hop delays are shown in seconds)."""
    cleaned = _COMMENT.sub(" ", text[:200]).strip()
    if not cleaned:
        return None
    return _go_time(cleaned) or _rfc5322(_FRACTION.sub(r"\1", cleaned))


def _rfc5322(text: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # "-0000" means "time zone unknown" (RFC 5322 §3.3); Python returns a naive time for it
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _go_time(text: str) -> datetime | None:
    found = _GO_TIME.match(text)
    if found is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in found.groups()[:6])
    sign, hours, minutes = found.group(7), found.group(8), found.group(9)
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    try:
        zone = timezone(-offset if sign == "-" else offset)
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
