"""Shared by the readers: decoding an untrusted file, and turning one token into an entry."""

from __future__ import annotations

import codecs
import ipaddress
from pathlib import Path

from mailcheck.audit.interface import AllowlistEntry, EntryKind, Unreadable
from mailcheck.base.errors import AllowlistError
from mailcheck.rulefiles.profiles import normalize_domain

MAX_BYTES = 8 * 1024 * 1024  # no allowlist is this large; a bigger file is a mistake
MAX_LINES = 200_000
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM) or UTF-16 with a BOM (PowerShell's
    ``Export-Csv -Encoding Unicode``); anything else is a clear error, never a guess."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise AllowlistError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(raw) > MAX_BYTES:
        raise AllowlistError(f"{path}: larger than {MAX_BYTES} bytes: not an allowlist")
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise AllowlistError(
            f"{path}: not {encoding} (byte {exc.start}); save it as UTF-8 and try again"
        ) from exc
    if "\x00" in text or any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
        # UTF-16 text without its BOM reads as ASCII with a NUL after every character.
        hint = " (UTF-16 without a BOM? save it as UTF-8)" if raw[1:40:2].count(0) > 15 else ""
        raise AllowlistError(
            f"{path}: contains binary control characters: not a text allowlist{hint}"
        )
    if text.count("\n") > MAX_LINES:
        raise AllowlistError(f"{path}: more than {MAX_LINES} lines: not an allowlist")
    return text


def entry_from_token(
    source: str, line: int, text: str, token: str, *, authenticated: bool
) -> AllowlistEntry | Unreadable:
    """An IP/CIDR, address, ``*@domain``/``@domain``, or domain token as an entry."""
    token = token.strip().strip("\"'<>").lower()
    try:
        network = ipaddress.ip_network(token.strip("[]"), strict=False)
    except ValueError:
        network = None
    if network is not None:
        return AllowlistEntry(source, line, text, EntryKind.NETWORK, str(network), authenticated)
    local, at, domain = token.rpartition("@")
    kind = EntryKind.DOMAIN
    if at:
        kind = EntryKind.WILDCARD if local in ("", "*") else EntryKind.ADDRESS
    if domain.startswith("*."):  # SpamAssassin's *@*.example.com: the domain and below
        domain, kind = domain[2:], EntryKind.DOMAIN
    normal = normalize_domain(domain.lstrip("."))
    if normal is None or (kind is EntryKind.ADDRESS and not local.strip()):
        return Unreadable(source, line, text, f"{token!r} is no IP, network, address or domain")
    value = {EntryKind.ADDRESS: f"{local}@{normal}", EntryKind.WILDCARD: f"*@{normal}"}
    return AllowlistEntry(source, line, text, kind, value.get(kind, normal), authenticated)


def sort_into(
    item: AllowlistEntry | Unreadable, entries: list[AllowlistEntry], unreadable: list[Unreadable]
) -> None:
    """Append a token's outcome to the list it belongs in."""
    if isinstance(item, AllowlistEntry):
        entries.append(item)
    else:
        unreadable.append(item)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) without comments and blank lines; ``#`` starts a comment."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            out.append((number, line))
    return out
