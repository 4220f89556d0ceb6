"""Authentication-Results (RFC 8601) and ARC-Authentication-Results (RFC 8617) parsing.

Lenient where real receivers are known to deviate (Microsoft 365 writes no authserv-id and
puts bare domain tokens between results; Gmail uses ``gateway.spf``; Yahoo ``dkim_pass``), but
truncated or garbled values are rejected. A parse never raises: a defect is reported in
``AuthenticationResults.error`` together with whatever was read before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailcheck.message.tokens import KEYWORD, Scanner, SyntaxFault

MAX_RESULTS = 64  # more resinfo entries than any receiver writes: the rest is ignored
MAX_VALUE_CHARS = 16384

_DIGITS = re.compile(r"[0-9]{1,9}")
# RFC 2045 token characters; '/' and '@' and '=' also occur unquoted in real property values
# (header.b=Qgi/FoC0, header.i=@example.org, smtp.mailfrom=a=b@c), ':' does not.
_PVALUE = re.compile(r"[^\s;()\"\\:,<>\[\]]+")
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
    scanner = Scanner(value[:MAX_VALUE_CHARS])
    try:
        _parse(scanner, state, arc)
        error = ""
    except SyntaxFault as exc:
        error = f"{exc} at offset {scanner.pos}"
    return AuthenticationResults(
        state.authserv_id, state.version, tuple(state.results), state.arc_instance, error
    )


def _parse(sc: Scanner, state: _State, arc: bool) -> None:
    sc.cfws()
    if sc.peek_instance():
        state.arc_instance = _instance(sc)
    elif arc:
        raise SyntaxFault("ARC field without i= tag")
    sc.cfws()
    if sc.at_end():
        if state.arc_instance is not None:
            raise SyntaxFault("no authserv-id")
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
            raise SyntaxFault("text after 'none'")
        return
    _results(sc, state)


def _instance(sc: Scanner) -> int:
    sc.expect("i")
    sc.cfws()
    sc.expect("=")
    sc.cfws()
    if not sc.match(_DIGITS):
        raise SyntaxFault("i= needs a number")
    number = int(sc.last)
    sc.cfws()
    sc.expect(";")
    return number


def _results(sc: Scanner, state: _State) -> None:
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


def _bare_domain(sc: Scanner) -> str:
    """Microsoft's ``; receivingdomain.com;`` between results: accepted, must end in ';'."""
    if sc.match_word("none"):
        raise SyntaxFault("'none' mixed with results")
    if not sc.match(_DOMAIN):
        raise SyntaxFault("expected a method")
    domain = sc.last
    sc.cfws()
    sc.expect(";")
    sc.cfws()
    return domain


def _resinfo(sc: Scanner, office365_id: str | None) -> AuthResult:
    method, version = _methodspec(sc)
    if not sc.match(KEYWORD):
        raise SyntaxFault("expected a result")
    result = sc.last.lower()
    comment = sc.cfws()
    reason, action = None, None
    properties: list[AuthProperty] = []
    extras: list[tuple[str, str]] = []
    while not sc.at_end() and sc.peek() != ";":
        if not sc.match(KEYWORD):
            raise SyntaxFault("expected a property")
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


def _methodspec(sc: Scanner) -> tuple[str, int | None]:
    sc.match(KEYWORD)
    method = sc.last.lower()
    sc.cfws()
    version = None
    if sc.skip("/"):
        sc.cfws()
        if not sc.match(_DIGITS):
            raise SyntaxFault("method version must be a number")
        version = int(sc.last)
        sc.cfws()
    sc.expect("=")
    sc.cfws()
    return method, version


def _property(sc: Scanner, name: str) -> AuthProperty:
    if "." in name:
        ptype, _, prop = name.partition(".")
    else:
        sc.expect(".")
        sc.cfws()
        if not sc.match(KEYWORD):
            raise SyntaxFault("expected a property name")
        ptype, prop = name, sc.last
    if not prop:
        raise SyntaxFault("expected a property name")
    sc.cfws()
    value = _equals_value(sc, allow_empty=True)
    return AuthProperty(ptype.lower(), prop.lower(), value)


def _equals_value(sc: Scanner, allow_empty: bool = False) -> str:
    sc.expect("=")
    sc.cfws()
    if sc.peek() == '"':
        return sc.quoted()
    if sc.match(_PVALUE):
        return sc.last
    if allow_empty and sc.peek() == ";":  # Microsoft's "header.from=;"
        return ""
    raise SyntaxFault("expected a value")
