"""Read messages to analyse: one .eml, a folder of them, an mbox, or headers on stdin.

Every read is capped so a huge or endless input cannot exhaust memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mailcheck.errors import UsageError

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
MAX_FILES = 1000
MAX_MBOX_MESSAGES = 10000
_MBOX_SEPARATOR = re.compile(rb"(?:\r?\n){1,2}(?=From [^\r\n]*\r?\n)")


@dataclass(frozen=True)
class MessageInput:
    """One message's bytes and where it came from."""

    label: str
    data: bytes
    truncated: bool = False


def read_inputs(source: str, stdin: BinaryIO | None = None) -> Iterator[MessageInput]:
    """The messages named by ``source`` ('-' is stdin); ``UsageError`` if unreadable."""
    if source == "-":
        if stdin is None:
            raise UsageError("no standard input to read")
        yield _capped("stdin", stdin)
        return
    path = Path(source)
    if path.is_dir():
        yield from _folder(path)
        return
    item = _read_file(path)
    if is_mbox(item.data):
        yield from split_mbox(item)
    else:
        yield item


def is_mbox(data: bytes) -> bool:
    """An mbox starts with a ``From `` line and holds more than one message."""
    return data.startswith(b"From ") and _MBOX_SEPARATOR.search(data, 5) is not None


def split_mbox(item: MessageInput) -> Iterator[MessageInput]:
    """The messages of an mbox (mboxrd/mboxo: split at ``From `` lines after a blank line)."""
    start, count = 0, 0
    for found in _MBOX_SEPARATOR.finditer(item.data):
        if found.start() == 0 or not re.search(rb"\r?\n\r?\n$", item.data[: found.end()]):
            continue
        count += 1
        yield MessageInput(f"{item.label}#{count}", item.data[start : found.start()])
        start = found.end()
        if count >= MAX_MBOX_MESSAGES:
            return
    yield MessageInput(f"{item.label}#{count + 1}", item.data[start:], item.truncated)


def _folder(path: Path) -> Iterator[MessageInput]:
    try:
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError as exc:
        raise UsageError(f"{path}: cannot list: {exc.strerror or exc}") from exc
    for file in files[:MAX_FILES]:
        yield _read_file(file)


def _read_file(path: Path) -> MessageInput:
    try:
        with path.open("rb") as handle:
            return _capped(str(path), handle)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _capped(label: str, handle: BinaryIO) -> MessageInput:
    data = handle.read(MAX_MESSAGE_BYTES + 1)
    return MessageInput(label, data[:MAX_MESSAGE_BYTES], len(data) > MAX_MESSAGE_BYTES)
