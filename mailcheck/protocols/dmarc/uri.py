"""DMARC report URIs (``rua``/``ruf``): RFC 9989 §5.4 URI lists, with RFC 7489's ``!size``
suffix recognised so it can be explained rather than silently mis-read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_URIS = 20  # more report URIs than this is hostile data, not configuration
_WSP = " \t"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s,]+$")
_SIZE = re.compile(r"^([0-9]{1,15})([kmgt]?)$", re.IGNORECASE)


@dataclass(frozen=True)
class ReportUri:
    """A ``rua``/``ruf`` URI; ``max_size``/``unit`` are the RFC 7489 ``!size`` suffix."""

    uri: str
    max_size: int | None = None
    unit: str = ""


def parse_uris(
    name: str, value: str, note: Callable[[str, str, str], None]
) -> tuple[ReportUri, ...]:
    """Parse a DMARC URI list; bad URIs are noted and dropped, good ones kept."""
    parts = [p.strip(_WSP) for p in value.split(",")]
    if len(parts) > MAX_URIS:
        note(name, "error", f"more than {MAX_URIS} URIs; the rest are ignored")
        parts = parts[:MAX_URIS]
    uris: list[ReportUri] = []
    for part in parts:
        uri = _uri(part)
        if uri is None:
            note(name, "error", f"{part[:60]!r} is not a valid URI (ignored)")
            continue
        if uri.max_size is not None:
            note(
                name,
                "legacy",
                f"the '!size' suffix on {uri.uri[:60]!r} is RFC 7489 only; "
                "RFC 9989 has no size limit and requires '!' to be percent-encoded",
            )
        if not uri.uri.lower().startswith("mailto:"):
            note(name, "advice", f"{uri.uri[:60]!r}: receivers need only support mailto:")
        uris.append(uri)
    return tuple(uris)


def _uri(part: str) -> ReportUri | None:
    base, bang, size = part.partition("!")
    max_size: int | None = None
    unit = ""
    if bang:
        match = _SIZE.match(size)
        if match is None:
            return None
        max_size, unit = int(match.group(1)), match.group(2).lower()
    if not _URI.match(base):
        return None
    if base.lower().startswith("mailto:"):
        local, at, domain = base[7:].rpartition("@")
        if not (at and local and "." in domain):
            return None
    return ReportUri(base, max_size, unit)
