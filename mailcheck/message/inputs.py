"""Read messages to analyse: one .eml, a folder of them (Maildir too), an mbox, or stdin.

Messages are read one at a time, so a quarantine export of any size needs the memory of one
message. A folder yields only files that look like messages (a header line first, or an mbox
``From `` line): README files, JSON, scripts and keys are skipped and counted. Every read is
capped so a huge or endless input cannot exhaust memory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from mailcheck.base.errors import InputError

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
MAX_MESSAGES = 1_000_000  # per folder or mbox: bounded, and beyond any real export
SNIFF_BYTES = 4096
# A header field name and its colon. RFC 5322 §3.6.8 allows any printable ASCII but the
# colon; real fields use letters, digits and hyphens, which keeps JSON ({"a":) and scripts out.
_HEADER_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9_.-]{0,200}[ \t]*:")
# Never messages, whatever their first line: the files found beside exports and corpora.
NOT_MESSAGES = frozenset(
    ".json .yaml .yml .toml .md .rst .py .sh .js .html .htm .csv .pem .key .pub .zip .gz".split()
)


@dataclass(frozen=True)
class MessageInput:
    """One message's bytes and where it came from."""

    label: str
    data: bytes
    truncated: bool = False


@dataclass
class InputStats:
    """What reading skipped: files in a folder that are not messages."""

    skipped: list[str] = field(default_factory=list)


def read_inputs(
    source: str, stdin: BinaryIO | None = None, stats: InputStats | None = None
) -> Iterator[MessageInput]:
    """The messages named by ``source`` ('-' is stdin), one at a time; ``InputError`` if
    unreadable."""
    stats = stats if stats is not None else InputStats()
    if source == "-":
        if stdin is None:
            raise InputError("source", "no standard input to read")
        yield _capped("stdin", stdin)
        return
    path = Path(source)
    if path.is_dir():
        yield from _folder(path, stats)
        return
    yield from _file(path)


def looks_like_message(head: bytes, name: str = "") -> bool:
    """A header line (or an mbox ``From `` line) first, and not a known non-message type."""
    if Path(name).suffix.lower() in NOT_MESSAGES:
        return False
    first = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    return first.startswith(b"From ") or _HEADER_LINE.match(first) is not None


def _folder(path: Path, stats: InputStats) -> Iterator[MessageInput]:
    """Every message file below ``path`` (hidden files and folders left out), sorted."""
    count = 0
    for file in _files(path):
        try:
            with file.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
        except OSError as exc:
            raise InputError("source", f"{file}: cannot read: {exc.strerror or exc}") from exc
        if not looks_like_message(head, file.name):
            stats.skipped.append(str(file))
            continue
        for item in _file(file):
            count += 1
            if count > MAX_MESSAGES:
                raise InputError("source", f"{path}: more than {MAX_MESSAGES} messages")
            yield item


def _files(path: Path) -> Iterator[Path]:
    try:
        for root, dirs, files in os.walk(path, onerror=_raise):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    yield Path(root) / name
    except OSError as exc:
        raise InputError("source", f"{path}: cannot list: {exc.strerror or exc}") from exc


def _raise(exc: OSError) -> None:
    raise exc


def _file(path: Path) -> Iterator[MessageInput]:
    """One message, or each message of an mbox (read a line at a time)."""
    try:
        with path.open("rb") as handle:
            if handle.read(5) != b"From ":
                handle.seek(0)
                yield _capped(str(path), handle)
                return
            handle.seek(0)
            yield from _mbox_stream(str(path), handle)
    except OSError as exc:
        raise InputError("source", f"{path}: cannot read: {exc.strerror or exc}") from exc


def _mbox_stream(label: str, handle: BinaryIO) -> Iterator[MessageInput]:
    """mboxrd/mboxo: a ``From `` line after a blank line starts the next message (the blank
    line separates, it is not part of either); a file with one message is that message."""
    lines: list[bytes] = []
    size, count, truncated, blank = 0, 0, False, False
    for line in handle:
        if line.startswith(b"From ") and blank and lines:
            count += 1
            yield MessageInput(f"{label}#{count}", _strip_separator(lines), truncated)
            lines, size, truncated = [], 0, False
            if count >= MAX_MESSAGES:
                return
        blank = line in (b"\n", b"\r\n")
        if size + len(line) > MAX_MESSAGE_BYTES:
            truncated = True
            continue
        lines.append(line)
        size += len(line)
    name = f"{label}#{count + 1}" if count else label
    yield MessageInput(name, b"".join(lines), truncated)


def _strip_separator(lines: list[bytes]) -> bytes:
    """The message without the blank line and line break that separate it from the next."""
    data = b"".join(lines)
    for _ in range(2):
        data = data[:-2] if data.endswith(b"\r\n") else data[:-1] if data.endswith(b"\n") else data
    return data


def _capped(label: str, handle: BinaryIO) -> MessageInput:
    data = handle.read(MAX_MESSAGE_BYTES + 1)
    return MessageInput(label, data[:MAX_MESSAGE_BYTES], len(data) > MAX_MESSAGE_BYTES)
