"""Parse one Received header field (RFC 5321 §4.4) in the many shapes MTAs really write.

The client IP is the address the *receiver* saw on the TCP connection, written by the receiver
in its TCP-info comment: Postfix/sendmail/Gmail ``(name [ip])``, Exim ``[ip]`` / ``([ip]
helo=x)``, Exchange ``(ip)``, qmail ``(ip)`` after ``(HELO x)``. A HELO/EHLO argument is the
client's own claim and never becomes the client IP. The HELO sits between ``from`` and the
TCP-info, so a client can put ``(a [203.0.113.5]) by`` in it ("HELO trap"): the receiver's
``by`` is therefore the last one followed by a host name, and its TCP-info is the last
comment of that shape before it. A line that stays ambiguous has ``ambiguous`` set and no
client IP. The parser never raises; what it cannot read stays ``None``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from mailcheck.message.dates import parse_date

MAX_RECEIVED_CHARS = 4096  # real fields are a few hundred characters; the rest is ignored
_AFTER_BY = ("with", "id", "via", "for")
_IP = r"(?:IPv6:|ipv6:)?[0-9A-Fa-f:.]+(?:%[\w.]+)?"
# "name [ip]", "[ip]:port helo=x", "IDENT:u@name [ip] (may be forged)" — the receiver's words
_TCP_BRACKETED = re.compile(
    rf"^(?:(?P<name>[^\s\[\]()]+)\s+)?\[(?P<ip>{_IP})\](?::\d+)?"
    r"(?:\s+(?:helo=|ident=|port=|\().*)?$",
    re.DOTALL,
)
_TCP_BARE = re.compile(rf"^(?:[^\s@()]+@)?\[?(?P<ip>{_IP})\]?$")  # Exchange "(ip)", qmail
_HELO = re.compile(r"(?:^|\s)(?:helo=|HELO\s+)(\[[^\]]*\]|[^\s()]+)", re.IGNORECASE)
_SOFTWARE = re.compile(r"(Postfix|Exim [\d.]+|qmail[^)]*|\d+\.\d+\.\d+/[\d.]+)")
_MULTIWORD_PROTOCOLS = ("Microsoft SMTP Server", "IBM ESMTP SMTP Gateway")
_HOSTNAME = re.compile(r"[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*")
_BARE_IP = re.compile(
    r"(?<![\w.:])((?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])"
)

_GO_TAIL = re.compile(
    r"\s\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})? [+-]\d{4}(?: [A-Z]{1,5})?"
    r"(?: m=[+-]\d{1,12}(?:\.\d{1,9})?)?$"
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Token = tuple[str, str]  # ("word" | "comment", text)


@dataclass(frozen=True)
class ReceivedHop:
    """What one Received field says: who handed the message to whom, how and when."""

    raw: str
    from_host: str | None = None  # the name the client gave (HELO/EHLO) or the from-word
    from_rdns: str | None = None  # the reverse-DNS name the receiver looked up
    from_ip: str | None = None  # the TCP peer the receiver saw; never a HELO argument
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
    ambiguous: str = ""  # why the client IP could not be told from the client's claims

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
    if not clauses_text:  # no ';': SendGrid's Go-format date follows the id directly
        tail = _GO_TAIL.search(text)
        clauses_text, date_text = (text[: tail.start()], tail.group(0)) if tail else (text, "")
    tokens, broken = _tokens(clauses_text)
    from_part, rest = _split_at_by(tokens)
    clauses = _clauses(rest)
    by_words, by_comments = clauses.get("by", ([], []))
    software = _software(clauses)
    client = _client(from_part, software, has_by="by" in clauses)
    if broken and from_part is not None:
        # an unclosed "(", '"' or "<" (a client can put one in its HELO) swallows the rest of
        # the line, the receiver's own TCP-info and "by" included: nothing here is sure
        client = _Client(client.name, ambiguous='unbalanced ( " or < in the field')
    return ReceivedHop(
        raw=text,
        from_host=client.name,
        from_rdns=client.rdns,
        from_ip=client.ip,
        helo=client.helo,
        by_host=_host(by_words[0]) if by_words else None,
        by_ip=_first_ip(by_comments),
        via=_joined(clauses, "via"),
        protocol=_protocol(clauses),
        id=_first(clauses, "id"),
        for_address=_address(_first(clauses, "for")),
        date=parse_date(date_text),
        software=software,
        field_index=field_index,
        ambiguous=client.ambiguous,
    )


def _tokens(text: str) -> tuple[list[Token], bool]:
    """Words and comments at depth 0; quoted strings and <addresses> stay inside one word;
    an unterminated comment, quote or address runs to the end (and the bool says so)."""
    out: list[Token] = []
    broken = False
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
            broken = broken or depth != 0
            out.append(("comment", text[start + 1 : pos - 1 if depth == 0 else pos]))
        else:
            start = pos
            closer = ""
            while pos < size and (closer or (not text[pos].isspace() and text[pos] != "(")):
                if closer and text[pos] == closer:
                    closer = ""
                elif not closer and text[pos] in '"<':
                    closer = '"' if text[pos] == '"' else ">"
                pos += 1
            broken = broken or bool(closer)
            out.append(("word", text[start:pos]))
    return out, broken


def _split_at_by(tokens: list[Token]) -> tuple[list[Token] | None, list[Token]]:
    """(the from clause, the receiver's part from its ``by`` on). The receiver's ``by`` is the
    last ``by`` word followed by a word: anything before it may be the client's HELO."""
    starts_from = bool(tokens) and _is(tokens[0], "from")
    by_at = None
    for index, token in enumerate(tokens[:-1]):
        if _is(token, "by") and tokens[index + 1][0] == "word":
            by_at = index
    if by_at is None:
        if starts_from:  # no receiver's "by": cannot tell HELO text from TCP-info
            return tokens[1:], []
        return None, tokens
    return (tokens[1:by_at] if starts_from else None), tokens[by_at:]


def _is(token: Token, word: str) -> bool:
    return token[0] == "word" and token[1].lower() == word


def _clauses(tokens: list[Token]) -> dict[str, tuple[list[str], list[str]]]:
    """keyword -> (words, comments) for by/with/id/via/for; the first occurrence wins."""
    clauses: dict[str, tuple[list[str], list[str]]] = {}
    current: tuple[list[str], list[str]] | None = None
    for kind, text in tokens:
        key = text.lower()
        if kind == "word" and key in ("by", *_AFTER_BY) and key not in clauses:
            current = ([], [])
            clauses[key] = current
        elif current is not None:
            (current[1] if kind == "comment" else current[0]).append(text)
    return clauses


@dataclass(frozen=True)
class _Client:
    name: str | None = None
    rdns: str | None = None
    ip: str | None = None
    helo: str | None = None
    ambiguous: str = ""


def _client(from_part: list[Token] | None, software: str | None, has_by: bool) -> _Client:
    """The TCP peer from the receiver's TCP-info comment, then Exim's ``from [ip]``."""
    if from_part is None:
        return _Client()
    words = [t for k, t in from_part if k == "word"]
    comments = [t for k, t in from_part if k == "comment"]
    name = _host(words[0]) if words else None
    helo = _helo(comments) or name
    if not has_by:
        return _Client(name, helo=helo, ambiguous="no 'by' clause: the client's HELO may run on")
    if len(words) > 1:
        helo = None  # the HELO held spaces: it is the client's text, not a name
    exim = bool(software and software.startswith("Exim"))
    for comment in reversed(comments):
        found = _TCP_BRACKETED.match(comment.strip()) or _TCP_BARE.match(comment.strip())
        ip = parse_ip(found.group("ip")) if found else None
        if ip is not None and found is not None:
            rdns = found.groupdict().get("name") or (name if exim else None)
            if "may be forged" in comment.lower():  # sendmail: the PTR did not resolve back
                rdns = None
            return _Client(name, _named(_host(rdns) if rdns else None), str(ip), helo)
    if len(words) == 1 and parse_ip(words[0]):  # Exim without rDNS: "from [192.0.2.1]"
        return _Client(name, None, str(parse_ip(words[0])), helo)
    if len(words) > 1:  # client text with spaces and no TCP-info after it
        return _Client(name, ambiguous="the HELO holds spaces and no TCP-info follows it")
    return _Client(name, helo=helo)


def _first_ip(comments: list[str]) -> str | None:
    for comment in comments:
        for pattern in (_TCP_BRACKETED, _BARE_IP):
            for found in pattern.finditer(comment):
                ip = parse_ip(found.group("ip") if pattern is _TCP_BRACKETED else found.group(1))
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


def _joined(clauses: dict[str, tuple[list[str], list[str]]], key: str) -> str | None:
    """All words of a clause: Exchange's ``via Frontend Transport`` is one name."""
    words = clauses.get(key, ([], []))[0]
    return " ".join(words)[:200] or None


def _protocol(clauses: dict[str, tuple[list[str], list[str]]]) -> str | None:
    words = clauses.get("with", ([], []))[0]
    text = " ".join(words)
    for name in _MULTIWORD_PROTOCOLS:
        if text.startswith(name):
            # IBM's gateway adds a banner ("IBM ESMTP SMTP Gateway: Authorized Use Only! ...")
            return text[:200] if name.startswith("IBM") else name
    return words[0].rstrip(";") if words else None


def _address(text: str | None) -> str | None:
    return text.strip("<>") if text else None


def _software(clauses: dict[str, tuple[list[str], list[str]]]) -> str | None:
    """The MTA name: "(Postfix)" after by, "(Exim 4.96)" after with, Microsoft's with-words."""
    for comment in clauses.get("by", ([], []))[1] + clauses.get("with", ([], []))[1]:
        found = _SOFTWARE.match(comment)
        if found:
            return found.group(1)
    with_words = " ".join(clauses.get("with", ([], []))[0])
    if "Microsoft SMTP Server" in with_words:
        return "Microsoft SMTP Server"
    return None


__all__ = ["IPAddress", "ReceivedHop", "parse_date", "parse_ip", "parse_received"]
