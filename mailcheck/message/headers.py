"""Split a message into its header fields, tolerantly and within hard limits.

Messages are hostile input. The header section ends at the first empty line (RFC 5322 §2.1).
Lines that neither start a field nor continue one (a bare line break inside a value, as in
MimeKit issue 358) are joined to the previous field and noted as a defect, so a damaged
header block still yields a partial analysis. Every size is capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEADER_BYTES = 4 * 1024 * 1024  # the header section we read at all
MAX_FIELDS = 5000  # 10,000 Received fields: keep the first 5,000 and say so
MAX_FIELD_CHARS = 65536  # one unfolded value; a 100 KB folded line is cut here
MAX_DEFECTS = 20

# Real field names: RFC 5322 allows any printable ASCII but ':'; this stricter shape lets a
# broken continuation such as "ds;MX:1;A:1" be recognised as part of the previous value.
_FIELD_START = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]{0,99})[ \t]*:")


@dataclass(frozen=True)
class HeaderField:
    """One header field: its name as written and its unfolded value."""

    name: str
    value: str
    index: int  # position from the top, 0-based

    @property
    def key(self) -> str:
        """The case-folded name used for lookups."""
        return self.name.lower()


@dataclass(frozen=True)
class HeaderSection:
    """The parsed header fields plus what was wrong with them."""

    fields: tuple[HeaderField, ...]
    defects: tuple[str, ...] = ()
    body_offset: int = -1  # byte offset of the body in the input; -1: no body separator seen

    def get_all(self, name: str) -> tuple[HeaderField, ...]:
        """Every field of this name, top first (case-insensitive)."""
        key = name.lower()
        return tuple(f for f in self.fields if f.key == key)

    def first(self, name: str) -> str | None:
        """The value of the topmost field of this name, if any."""
        found = self.get_all(name)
        return found[0].value if found else None


def decode(raw: bytes) -> str:
    """Header bytes as text: UTF-8 (RFC 6532) with replacement, never an exception."""
    return raw.decode("utf-8", errors="replace")


def split_message(data: bytes) -> tuple[bytes, int]:
    """The header bytes (capped) and the body offset, -1 when no empty line ends the header."""
    window = data[:MAX_HEADER_BYTES]
    match = re.search(rb"\r?\n\r?\n", window)
    if data.startswith((b"\r\n", b"\n")):  # empty header section
        return b"", 2 if data.startswith(b"\r\n") else 1
    if match is None:
        return window, -1
    return window[: match.start()], match.end()


def parse_headers(data: bytes) -> HeaderSection:
    """Parse the header section at the top of ``data`` (a whole message or headers only)."""
    raw, body_offset = split_message(data)
    builder = _Builder()
    lines = decode(raw).split("\n")
    if lines and lines[0].startswith("From "):  # mbox separator line, not a field
        lines = lines[1:]
    for line in lines:
        builder.feed(line.rstrip("\r"))
        if builder.full:
            builder.defect(f"more than {MAX_FIELDS} header fields; the rest were ignored")
            break
    if len(data) > MAX_HEADER_BYTES and body_offset < 0:
        builder.defect(f"header section larger than {MAX_HEADER_BYTES} bytes; truncated")
    return HeaderSection(builder.done(), tuple(builder.defects), body_offset)


class _Builder:
    """Accumulates fields line by line; bounded by ``MAX_FIELDS`` and ``MAX_FIELD_CHARS``."""

    def __init__(self) -> None:
        self.fields: list[HeaderField] = []
        self.defects: list[str] = []
        self._name: str | None = None
        self._parts: list[str] = []
        self._size = 0

    @property
    def full(self) -> bool:
        return len(self.fields) >= MAX_FIELDS

    def defect(self, text: str) -> None:
        if len(self.defects) < MAX_DEFECTS and text not in self.defects:
            self.defects.append(text)

    def feed(self, line: str) -> None:
        if not line:
            return
        if line[0] in " \t":
            self._append(line, "folded line before the first field")
            return
        match = _FIELD_START.match(line)
        if match is None:
            self._append(line, "line is neither a field nor a continuation")
            if self._name is not None:
                self.defect("a value continues on a line without leading whitespace")
            return
        self._flush()
        self._name = match.group(1)
        self._append(line[match.end() :], "")

    def _append(self, text: str, orphan: str) -> None:
        if self._name is None:
            self.defect(orphan or "text before the first field")
            return
        room = MAX_FIELD_CHARS - self._size
        if len(text) > room:
            self.defect(f"a {self._name} field is longer than {MAX_FIELD_CHARS} characters; cut")
            text = text[: max(room, 0)]
        self._parts.append(text)
        self._size += len(text)

    def _flush(self) -> None:
        if self._name is not None:
            value = "".join(self._parts).strip()
            self.fields.append(HeaderField(self._name, value, len(self.fields)))
        self._name, self._parts, self._size = None, [], 0

    def done(self) -> tuple[HeaderField, ...]:
        self._flush()
        return tuple(self.fields[:MAX_FIELDS])
