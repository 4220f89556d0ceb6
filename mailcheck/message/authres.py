"""Authentication-Results (RFC 8601) and ARC-Authentication-Results (RFC 8617) parsing.

Lenient where real receivers are known to deviate (Microsoft 365 writes no authserv-id and
puts bare domain tokens between results; Gmail uses ``gateway.spf``; Yahoo ``dkim_pass``), but
truncated or garbled values are rejected. A parse never raises: a defect is reported in
``AuthenticationResults.error`` together with whatever was read before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_RESULTS = 64  # more resinfo entries than any receiver writes: the rest is ignored
MAX_VALUE_CHARS = 16384

_KEYWORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_DIGITS = re.compile(r"[0-9]{1,9}")
# RFC 2045 token characters; '/' and '@' and '=' also occur unquoted in real property values
# (header.b=Qgi/FoC0, header.i=@example.org, smtp.mailfrom=a=b@c), ':' does not.
_PVALUE = re.compile(r"[^\s;()\"\\:,<>\[\]]+")
_TOKEN = re.compile(r"[^\s;()\"\\:,<>\[\]/=@?]+")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_\-]*[A-Za-z0-9])?\.)+[A-Za-z0-9\-]+")


@dataclass(frozen=True)
class AuthProperty:
    """``ptype.property=value``, e.g. ``smtp.mailfrom=example.net``."""

    ptype: str
    property: str
    value: str


@dataclass(frozen=True)
class AuthResult:
    """One resinfo: a method, its result and properties."""

    method: str  # lower-case
    result: str  # lower-case
    method_version: int | None = None
    reason: str | None = None
    comment: str | None = None  # the comment right after the result, as Microsoft writes it
    properties: tuple[AuthProperty, ...] = ()
    action: str | None = None  # Microsoft's dmarc ``action=`` pseudo-property
    extras: tuple[tuple[str, str], ...] = ()  # other ptype-less pairs, e.g. ``reason=`` aside
    office365_authserv_id: str | None = None  # bare domain token Microsoft puts before it

    def get(self, ptype: str, prop: str) -> str | None:
        """The value of the first property ``ptype.prop`` (case-insensitive), if any."""
        for item in self.properties:
            if item.ptype == ptype.lower() and item.property == prop.lower():
                return item.value
        return None


@dataclass(frozen=True)
class AuthenticationResults:
    """One parsed field. ``authserv_id`` is None for Microsoft 365's id-less values."""

    authserv_id: str | None
    version: int | None = None
    results: tuple[AuthResult, ...] = ()
    arc_instance: int | None = None
    error: str = ""  # empty when the whole value parsed

    @property
    def ok(self) -> bool:
        """True when the value parsed completely."""
        return not self.error

    def by_method(self, method: str) -> tuple[AuthResult, ...]:
        """The results for one method, in order."""
        return tuple(r for r in self.results if r.method == method.lower())


class _SyntaxError(Exception):
    """Internal: where and why the value stopped making sense."""


@dataclass
class _State:
    """Parse output collected so far, so a late error still yields a partial result."""

    authserv_id: str | None = None
    version: int | None = None
    arc_instance: int | None = None
    results: list[AuthResult] = field(default_factory=list)


def parse_authres(value: str, *, arc: bool = False) -> AuthenticationResults:
    """Parse an Authentication-Results value (``arc=True``: ARC-A-R, ``i=`` required)."""
    state = _State()
    scanner = _Scanner(value[:MAX_VALUE_CHARS])
    try:
        _parse(scanner, state, arc)
        error = ""
    except _SyntaxError as exc:
        error = f"{exc} at offset {scanner.pos}"
    return AuthenticationResults(
        state.authserv_id, state.version, tuple(state.results), state.arc_instance, error
    )


def _parse(sc: _Scanner, state: _State, arc: bool) -> None:
    sc.cfws()
    if sc.peek_instance():
        state.arc_instance = _instance(sc)
    elif arc:
        raise _SyntaxError("ARC field without i= tag")
    sc.cfws()
    if sc.at_end():
        if state.arc_instance is not None:
            raise _SyntaxError("no authserv-id")
        return  # an empty value: nothing claimed
    if state.arc_instance is None and sc.peek_method():  # Microsoft 365: no authserv-id
        _results(sc, state)
        return
    state.authserv_id = sc.authserv_id()
    sc.cfws()
    if sc.match(_DIGITS):
        state.version = int(sc.last)
        sc.cfws()
    if sc.at_end():
        return
    sc.expect(";")
    sc.cfws()
    if sc.at_end():
        return
    if sc.match_word("none"):
        sc.cfws()
        sc.skip(";")
        sc.cfws()
        if not sc.at_end():
            raise _SyntaxError("text after 'none'")
        return
    _results(sc, state)


def _instance(sc: _Scanner) -> int:
    sc.expect("i")
    sc.cfws()
    sc.expect("=")
    sc.cfws()
    if not sc.match(_DIGITS):
        raise _SyntaxError("i= needs a number")
    number = int(sc.last)
    sc.cfws()
    sc.expect(";")
    return number


def _results(sc: _Scanner, state: _State) -> None:
    office365_id: str | None = None
    while not sc.at_end():
        if len(state.results) >= MAX_RESULTS:
            return
        if not sc.peek_method():
            office365_id = _bare_domain(sc)
            continue
        state.results.append(_resinfo(sc, office365_id))
        office365_id = None
        sc.cfws()
        if sc.at_end():
            return
        sc.expect(";")
        sc.cfws()


def _bare_domain(sc: _Scanner) -> str:
    """Microsoft's ``; receivingdomain.com;`` between results: accepted, must end in ';'."""
    if sc.match_word("none"):
        raise _SyntaxError("'none' mixed with results")
    if not sc.match(_DOMAIN):
        raise _SyntaxError("expected a method")
    domain = sc.last
    sc.cfws()
    sc.expect(";")
    sc.cfws()
    return domain


def _resinfo(sc: _Scanner, office365_id: str | None) -> AuthResult:
    method, version = _methodspec(sc)
    if not sc.match(_KEYWORD):
        raise _SyntaxError("expected a result")
    result = sc.last.lower()
    comment = sc.cfws()
    reason, action = None, None
    properties: list[AuthProperty] = []
    extras: list[tuple[str, str]] = []
    while not sc.at_end() and sc.peek() != ";":
        if not sc.match(_KEYWORD):
            raise _SyntaxError("expected a property")
        name = sc.last
        sc.cfws()
        if "." in name or sc.peek() == ".":
            properties.append(_property(sc, name))
        else:
            value = _equals_value(sc)
            if name.lower() == "reason":
                reason = value
            elif name.lower() == "action":
                action = value
            else:
                extras.append((name.lower(), value))
        sc.cfws()
    return AuthResult(
        method,
        result,
        version,
        reason,
        comment,
        tuple(properties),
        action,
        tuple(extras),
        office365_id,
    )


def _methodspec(sc: _Scanner) -> tuple[str, int | None]:
    sc.match(_KEYWORD)
    method = sc.last.lower()
    sc.cfws()
    version = None
    if sc.skip("/"):
        sc.cfws()
        if not sc.match(_DIGITS):
            raise _SyntaxError("method version must be a number")
        version = int(sc.last)
        sc.cfws()
    sc.expect("=")
    sc.cfws()
    return method, version


def _property(sc: _Scanner, name: str) -> AuthProperty:
    if "." in name:
        ptype, _, prop = name.partition(".")
    else:
        sc.expect(".")
        sc.cfws()
        if not sc.match(_KEYWORD):
            raise _SyntaxError("expected a property name")
        ptype, prop = name, sc.last
    if not prop:
        raise _SyntaxError("expected a property name")
    sc.cfws()
    value = _equals_value(sc, allow_empty=True)
    return AuthProperty(ptype.lower(), prop.lower(), value)


def _equals_value(sc: _Scanner, allow_empty: bool = False) -> str:
    sc.expect("=")
    sc.cfws()
    if sc.peek() == '"':
        return sc.quoted()
    if sc.match(_PVALUE):
        return sc.last
    if allow_empty and sc.peek() == ";":  # Microsoft's "header.from=;"
        return ""
    raise _SyntaxError("expected a value")


class _Scanner:
    """A cursor over the value with RFC 5322 comment and quoted-string handling."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.last = ""

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def expect(self, char: str) -> None:
        if not self.skip(char):
            found = self.peek() or "end of value"
            raise _SyntaxError(f"expected {char!r}, found {found!r}")

    def match(self, pattern: re.Pattern[str]) -> bool:
        found = pattern.match(self.text, self.pos)
        if found is None:
            return False
        self.last, self.pos = found.group(0), found.end()
        return True

    def match_word(self, word: str) -> bool:
        end = self.pos + len(word)
        if self.text[self.pos : end].lower() != word:
            return False
        if end < len(self.text) and (self.text[end].isalnum() or self.text[end] in "-_.="):
            return False
        self.pos = end
        return True

    def peek_method(self) -> bool:
        """A keyword followed (after CFWS) by '=' or '/': a resinfo, not an authserv-id."""
        return self._after_keyword() in ("=", "/")

    def peek_instance(self) -> bool:
        return self.text[self.pos : self.pos + 1].lower() == "i" and self._after_keyword() == "="

    def _after_keyword(self) -> str:
        start = self.pos
        try:
            if not self.match(_KEYWORD):
                return ""
            self.cfws()
            return self.peek()
        except _SyntaxError:
            return ""
        finally:
            self.pos = start

    def authserv_id(self) -> str:
        if self.peek() == '"':
            return self.quoted()
        if not self.match(_TOKEN):
            raise _SyntaxError("expected an authserv-id")
        return self.last

    def quoted(self) -> str:
        self.expect('"')
        out: list[str] = []
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\" and not self.at_end():
                char = self.text[self.pos]
                self.pos += 1
            out.append(char)
        raise _SyntaxError("unterminated quoted string")

    def cfws(self) -> str | None:
        """Skip folding white space and comments; return the text of the first comment."""
        first: str | None = None
        while not self.at_end():
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "(":
                text = self._comment()
                first = text if first is None else first
            else:
                break
        return first

    def _comment(self) -> str:
        start, depth = self.pos + 1, 0
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                self.pos += 1
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return self.text[start : self.pos - 1].strip()
        raise _SyntaxError("unterminated comment")
