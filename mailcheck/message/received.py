"""Parse one Received header field (RFC 5321 §4.4) in the many shapes MTAs really write.

Postfix, sendmail, Exim, qmail, Exchange/Microsoft 365 and Gmail differ in where they put the
connecting IP (``[ip]`` inside a comment, ``(ip)`` bare, ``helo=`` or ``HELO`` inside the
comment). The clause scanner splits at the keywords ``from by via with id for`` outside
comments and never raises; what it cannot read stays ``None``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

MAX_RECEIVED_CHARS = 4096  # real fields are a few hundred characters; the rest is ignored
_KEYWORDS = ("from", "by", "via", "with", "id", "for")
_BRACKETED = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)(?:%[\w.]+)?\]")
_BARE_IP = re.compile(
    r"(?<![\w.:])((?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])"
)
_HELO = re.compile(r"(?:helo=|HELO\s+)(\[[^\]]*\]|[^\s()]+)", re.IGNORECASE)
_HOSTNAME = re.compile(r"[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*")
_COMMENT = re.compile(r"\([^()]*\)")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class ReceivedHop:
    """What one Received field says: who handed the message to whom, how and when."""

    raw: str
    from_host: str | None = None  # the name the client gave (HELO/EHLO) or the from-word
    from_rdns: str | None = None  # the reverse-DNS name the receiver looked up
    from_ip: str | None = None
    helo: str | None = None
    by_host: str | None = None
    by_ip: str | None = None
    via: str | None = None
    protocol: str | None = None  # the with-word: SMTP, ESMTPS, ESMTPSA, LMTP, mapi ...
    id: str | None = None
    for_address: str | None = None
    date: datetime | None = None
    software: str | None = None  # "Postfix", "Exim 4.96", "Microsoft SMTP Server" ...
    field_index: int = -1  # index of the field in the header section

    @property
    def ip(self) -> IPAddress | None:
        """The connecting IP as an address object, if it parsed."""
        return parse_ip(self.from_ip) if self.from_ip else None


def parse_ip(text: str) -> IPAddress | None:
    """An IP address from header text (``IPv6:`` prefix and zone index dropped), or None."""
    text = text.strip().strip("[]")
    text = text.removeprefix("IPv6:").removeprefix("ipv6:").partition("%")[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    # Courier and dual-stack listeners write IPv4 clients as ::ffff:192.0.2.1
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def parse_received(value: str, field_index: int = -1) -> ReceivedHop:
    """Parse a Received value; unknown parts stay None, never an exception."""
    text = value[:MAX_RECEIVED_CHARS]
    clauses_text, _, date_text = text.rpartition(";")
    if not clauses_text:  # no ';': no date part at all
        clauses_text, date_text = text, ""
    clauses = _split_clauses(clauses_text)
    from_words, from_comments = clauses.get("from", ([], []))
    by_words, by_comments = clauses.get("by", ([], []))
    from_ip, rdns = _from_address(from_words, from_comments)
    return ReceivedHop(
        raw=value[:MAX_RECEIVED_CHARS],
        from_host=_host(from_words[0]) if from_words else None,
        from_rdns=rdns,
        from_ip=from_ip,
        helo=_helo(from_comments),
        by_host=_host(by_words[0]) if by_words else None,
        by_ip=_first_ip(by_comments),
        via=_first(clauses, "via"),
        protocol=_protocol(clauses),
        id=_first(clauses, "id"),
        for_address=_address(_first(clauses, "for")),
        date=parse_date(date_text),
        software=_software(clauses),
        field_index=field_index,
    )


def parse_date(text: str) -> datetime | None:
    """An RFC 5322 date with trailing comments such as ``(EDT)`` ignored; None if unreadable."""
    cleaned = _COMMENT.sub(" ", text[:200]).strip()
    if not cleaned:
        return None
    try:
        parsed = parsedate_to_datetime(cleaned)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # "-0000" means "time zone unknown" (RFC 5322 §3.3); Python returns a naive time for it
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _split_clauses(text: str) -> dict[str, tuple[list[str], list[str]]]:
    """keyword -> (words, comments) for each top-level clause; first occurrence wins."""
    clauses: dict[str, tuple[list[str], list[str]]] = {}
    current: tuple[list[str], list[str]] | None = None
    for kind, token in _tokens(text):
        if kind == "word" and token.lower() in _KEYWORDS and token.lower() not in clauses:
            current = ([], [])
            clauses[token.lower()] = current
        elif current is not None:
            (current[1] if kind == "comment" else current[0]).append(token)
    return clauses


def _tokens(text: str) -> list[tuple[str, str]]:
    """Words and comments at depth 0; an unterminated comment runs to the end."""
    out: list[tuple[str, str]] = []
    pos, size = 0, len(text)
    while pos < size:
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char == "(":
            depth, start = 0, pos
            while pos < size:
                depth += {"(": 1, ")": -1}.get(text[pos], 0)
                pos += 1
                if depth == 0:
                    break
            out.append(("comment", text[start + 1 : pos - 1 if depth == 0 else pos]))
        else:
            start = pos
            while pos < size and not text[pos].isspace() and text[pos] != "(":
                pos += 1
            out.append(("word", text[start:pos]))
    return out


def _from_address(words: list[str], comments: list[str]) -> tuple[str | None, str | None]:
    """The connecting IP and its rDNS name, from the comments first, then the from-word."""
    for comment in comments:
        bracketed = _BRACKETED.search(comment)
        if bracketed and parse_ip(bracketed.group(1)):
            before = comment[: bracketed.start()].strip().split()
            rdns = _host(before[-1]) if before else None
            return str(parse_ip(bracketed.group(1))), _named(rdns)
        ip = _first_ip([comment])
        if ip:
            return ip, None
    if words and parse_ip(words[0]):  # "from [192.0.2.1]" or "from 192.0.2.1"
        return str(parse_ip(words[0])), None
    return None, None


def _first_ip(comments: list[str]) -> str | None:
    for comment in comments:
        for pattern in (_BRACKETED, _BARE_IP):
            for found in pattern.finditer(comment):
                ip = parse_ip(found.group(1))
                if ip is not None:
                    return str(ip)
    return None


def _helo(comments: list[str]) -> str | None:
    for comment in comments:
        found = _HELO.search(comment)
        if found:
            return _host(found.group(1))
    return None


def _host(word: str) -> str | None:
    word = word.strip().rstrip(".").lower()
    if "@" in word:  # "IDENT:nobody@localhost" or sendmail's "(from user@localhost)"
        word = word.rpartition("@")[2]
    return word or None


def _named(name: str | None) -> str | None:
    if name is None or name in ("unknown", "localhost") or parse_ip(name):
        return None
    return name if _HOSTNAME.fullmatch(name) else None


def _first(clauses: dict[str, tuple[list[str], list[str]]], key: str) -> str | None:
    words = clauses.get(key, ([], []))[0]
    return words[0].rstrip(";") if words else None


def _protocol(clauses: dict[str, tuple[list[str], list[str]]]) -> str | None:
    words = clauses.get("with", ([], []))[0]
    if words[:3] == ["Microsoft", "SMTP", "Server"]:
        return "Microsoft SMTP Server"
    return words[0].rstrip(";") if words else None


def _address(text: str | None) -> str | None:
    return text.strip("<>") if text else None


def _software(clauses: dict[str, tuple[list[str], list[str]]]) -> str | None:
    """The MTA name: "(Postfix)" after by, "(Exim 4.96)" after with, Microsoft's with-words."""
    for comment in clauses.get("by", ([], []))[1] + clauses.get("with", ([], []))[1]:
        found = re.match(r"(Postfix|Exim [\d.]+|qmail[^)]*|\d+\.\d+\.\d+/[\d.]+)", comment)
        if found:
            return found.group(1)
    with_words = " ".join(clauses.get("with", ([], []))[0])
    if "Microsoft SMTP Server" in with_words:
        return "Microsoft SMTP Server"
    return None
