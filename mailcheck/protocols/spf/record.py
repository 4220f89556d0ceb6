"""SPF record syntax (RFC 7208 §4.5, §4.6, §5, §6, §12): select the record, parse its terms.

Parsing is complete and strict before evaluation starts: a syntax error anywhere in the record
is a permerror (§4.6), even in a term evaluation would never reach.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum

from mailcheck.base.errors import SpfSyntaxError
from mailcheck.protocols.spf.macro import Token, ends_with_macro, parse_macro_string

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# §4.5: "v=spf1" followed by a space or the end of the record, case-insensitive.
_VERSION = re.compile(r"^v=spf1(?: |$)", re.IGNORECASE)
_TERM = re.compile(r"^([+\-~?]?)([A-Za-z][A-Za-z0-9_.\-]*)(.*)$", re.DOTALL)
_CIDR = re.compile(r"^(?P<rest>.*?)(?:/(?P<v4>0|[1-9][0-9]*))?(?://(?P<v6>0|[1-9][0-9]*))?$")
_TOPLABEL = re.compile(r"^(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9\-]*[a-z0-9])$", re.I)
_DOMAIN_MECHANISMS = frozenset({"a", "mx", "ptr", "include", "exists"})
_MECHANISMS = _DOMAIN_MECHANISMS | {"all", "ip4", "ip6"}


class Qualifier(StrEnum):
    """The result a mechanism gives when it matches (§4.6.2)."""

    PASS = "+"
    FAIL = "-"
    SOFTFAIL = "~"
    NEUTRAL = "?"


@dataclass(frozen=True)
class Mechanism:
    """One mechanism as written: name, qualifier, and its parsed argument."""

    text: str
    name: str  # lower case: all include a mx ptr ip4 ip6 exists
    qualifier: Qualifier = Qualifier.PASS
    domain_spec: tuple[Token, ...] = ()  # empty: the current domain (a, mx, ptr)
    network: Network | None = None  # ip4, ip6
    cidr4: int = 32  # a, mx
    cidr6: int = 128

    @property
    def counts_lookup(self) -> bool:
        """True when the mechanism costs one of the 10 DNS lookups (§4.6.4)."""
        return self.name in _DOMAIN_MECHANISMS


@dataclass(frozen=True)
class Modifier:
    """One ``name=value`` modifier; unknown names are kept (and ignored, §6)."""

    text: str
    name: str  # lower case
    value: tuple[Token, ...] = ()


@dataclass(frozen=True)
class Record:
    """A parsed SPF record."""

    text: str
    mechanisms: tuple[Mechanism, ...]
    redirect: Modifier | None = None
    exp: Modifier | None = None
    other_modifiers: tuple[Modifier, ...] = ()

    @property
    def has_all(self) -> bool:
        """§6.1: a record with an ``all`` mechanism anywhere ignores ``redirect``."""
        return any(m.name == "all" for m in self.mechanisms)


def is_spf_record(text: str) -> bool:
    """True for a TXT string that declares itself an SPF record (``v=spf1``)."""
    return _VERSION.match(text) is not None


def parse_record(text: str) -> Record:
    """Parse a whole ``v=spf1`` record, or raise ``SpfSyntaxError`` naming the bad term."""
    if not is_spf_record(text):
        raise SpfSyntaxError(f"not an SPF record: {text[:40]!r}")
    bad = next((c for c in text if not 0x20 <= ord(c) <= 0x7E), None)
    if bad is not None:  # §3.1, §4.6.1: 7-bit printable text separated by spaces only
        raise SpfSyntaxError(f"character {bad!r} is not allowed in an SPF record")
    mechanisms: list[Mechanism] = []
    modifiers: dict[str, Modifier] = {}
    others: list[Modifier] = []
    for term in text[len("v=spf1") :].split(" "):
        if not term:
            continue  # several spaces, or trailing spaces, are allowed
        parsed = parse_term(term)
        if isinstance(parsed, Mechanism):
            mechanisms.append(parsed)
        elif parsed.name in ("redirect", "exp"):
            if parsed.name in modifiers:  # §6: each may appear at most once
                raise SpfSyntaxError(f"{parsed.name}= appears twice")
            modifiers[parsed.name] = parsed
        else:
            others.append(parsed)
    return Record(
        text, tuple(mechanisms), modifiers.get("redirect"), modifiers.get("exp"), tuple(others)
    )


def parse_term(term: str) -> Mechanism | Modifier:
    """Parse one space-separated term."""
    found = _TERM.match(term)
    if found is None:
        raise SpfSyntaxError(f"unknown term {term!r}")
    qualifier, name, rest = found.groups()
    if rest.startswith("=") and not qualifier:
        return _modifier(term, name.lower(), rest[1:])
    lower = name.lower()
    if lower not in _MECHANISMS:
        raise SpfSyntaxError(f"unknown mechanism {term!r}")
    mechanism = Mechanism(term, lower, Qualifier(qualifier or "+"))
    return _mechanism_argument(mechanism, rest)


def _modifier(term: str, name: str, value: str) -> Modifier:
    if name in ("redirect", "exp"):
        tokens = _domain_spec(value, term)
    else:
        tokens = parse_macro_string(value)  # unknown modifiers must still be well formed
    return Modifier(term, name, tokens)


def _mechanism_argument(mechanism: Mechanism, rest: str) -> Mechanism:
    name, term = mechanism.name, mechanism.text
    if name == "all":
        if rest:
            raise SpfSyntaxError(f"'all' takes no argument: {term!r}")
        return mechanism
    if name in ("ip4", "ip6"):
        return _ip_mechanism(mechanism, rest)
    if name in ("include", "exists") and not rest.startswith(":"):
        raise SpfSyntaxError(f"{name} needs ':domain': {term!r}")
    if name in ("a", "mx"):
        found = _CIDR.match(rest)
        assert found is not None  # every group is optional
        rest = found["rest"]
        cidr4 = _cidr(found["v4"], 32, term)
        cidr6 = _cidr(found["v6"], 128, term)
        mechanism = Mechanism(term, name, mechanism.qualifier, cidr4=cidr4, cidr6=cidr6)
    if not rest:
        return mechanism
    if not rest.startswith(":"):
        raise SpfSyntaxError(f"bad argument for {name}: {term!r}")
    spec = _domain_spec(rest[1:], term)
    return Mechanism(term, name, mechanism.qualifier, spec, None, mechanism.cidr4, mechanism.cidr6)


def _cidr(digits: str | None, maximum: int, term: str) -> int:
    if digits is None:
        return maximum
    value = int(digits)
    if value > maximum:
        raise SpfSyntaxError(f"prefix length /{digits} is out of range in {term!r}")
    return value


def _ip_mechanism(mechanism: Mechanism, rest: str) -> Mechanism:
    term = mechanism.text
    if not rest.startswith(":"):
        raise SpfSyntaxError(f"{mechanism.name} needs ':address': {term!r}")
    address, slash, length = rest[1:].partition("/")
    maximum = 32 if mechanism.name == "ip4" else 128
    if slash and not re.fullmatch(r"0|[1-9][0-9]{0,2}", length):
        raise SpfSyntaxError(f"bad prefix length in {term!r}")
    prefix = _cidr(length if slash else None, maximum, term)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise SpfSyntaxError(f"bad address in {term!r}") from None
    if ip.version != (4 if mechanism.name == "ip4" else 6):
        raise SpfSyntaxError(f"wrong address family in {term!r}")
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return Mechanism(term, mechanism.name, mechanism.qualifier, network=network)


def _domain_spec(text: str, term: str) -> tuple[Token, ...]:
    """§7.1 domain-spec: a macro-string ending in a macro or in '.' toplabel ['.']."""
    if not text:
        raise SpfSyntaxError(f"empty domain in {term!r}")
    tokens = parse_macro_string(text)
    if ends_with_macro(tokens):
        return tokens
    body = text[:-1] if text.endswith(".") else text
    head, dot, toplabel = body.rpartition(".")
    if not dot or not _TOPLABEL.match(toplabel):
        raise SpfSyntaxError(f"domain {text!r} does not end in a valid top label ({term!r})")
    return tokens
