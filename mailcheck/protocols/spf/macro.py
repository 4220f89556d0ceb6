"""SPF macros (RFC 7208 §7): parse a macro-string into tokens, then expand it for one check.

Parsing is strict and happens when a record is parsed, so a bad macro anywhere in a record is a
syntax error (permerror) even if evaluation never reaches it. Expansion needs DNS only for
``%{p}``, which the caller supplies as an async function.
"""

from __future__ import annotations

import ipaddress
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mailcheck.base.errors import SpfSyntaxError

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# RFC 7208 §7.1: letters valid everywhere, and those only valid in an explanation (exp= text).
_LETTERS = frozenset("slodiphv")
_EXP_ONLY_LETTERS = frozenset("crt")
_MACRO = re.compile(r"%\{([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)\}")
# RFC 7208 §7.3: keep at most this many characters of a name, cutting whole labels on the left.
MAX_NAME_LENGTH = 253
# A transformer digit larger than any real label count; bounds the work on hostile input.
_MAX_DIGITS = 128


@dataclass(frozen=True)
class Macro:
    """One ``%{...}`` expansion: letter, right-hand parts kept, reversal, split characters."""

    letter: str  # lower case
    keep: int = 0  # 0 means all parts
    reverse: bool = False
    delimiters: str = ""  # empty means "."
    url_escape: bool = False  # the letter was upper case

    @property
    def is_exp_only(self) -> bool:
        """True for ``c``, ``r``, ``t``: allowed only in explanation text."""
        return self.letter in _EXP_ONLY_LETTERS


Token = str | Macro


def parse_macro_string(text: str, *, explanation: bool = False) -> tuple[Token, ...]:
    """Split ``text`` into literal strings and ``Macro`` tokens, or raise ``SpfSyntaxError``."""
    tokens: list[Token] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "%":
            # macro-literal is %x21-24 / %x26-7E; explanation text also allows SP (§6.2).
            if not (0x21 <= ord(char) <= 0x7E or (explanation and char == " ")):
                raise SpfSyntaxError(f"character {char!r} is not allowed in {text!r}")
            literal.append(char)
            index += 1
            continue
        pair = text[index : index + 2]
        if pair in ("%%", "%_", "%-"):
            literal.append({"%%": "%", "%_": " ", "%-": "%20"}[pair])
            index += 2
            continue
        macro, index = _parse_macro(text, index, explanation)
        if literal:
            tokens.append("".join(literal))
            literal = []
        tokens.append(macro)
    if literal:
        tokens.append("".join(literal))
    return tuple(tokens)


def _parse_macro(text: str, index: int, explanation: bool) -> tuple[Macro, int]:
    found = _MACRO.match(text, index)
    if found is None:
        raise SpfSyntaxError(f"bad macro at {text[index : index + 12]!r} in {text!r}")
    letter, digits, reverse, delimiters = found.groups()
    lower = letter.lower()
    if lower not in _LETTERS and not (explanation and lower in _EXP_ONLY_LETTERS):
        raise SpfSyntaxError(f"macro letter {letter!r} is not allowed here in {text!r}")
    if digits and int(digits) == 0:
        raise SpfSyntaxError(f"macro transformer 0 in {text!r} (must be nonzero)")
    keep = min(int(digits), _MAX_DIGITS) if digits else 0
    macro = Macro(lower, keep, bool(reverse), delimiters, letter.isupper())
    return macro, found.end()


def ends_with_macro(tokens: tuple[Token, ...]) -> bool:
    """True when the last token is a ``%{...}`` expansion (a valid domain-end, §7.1)."""
    return bool(tokens) and isinstance(tokens[-1], Macro)


@dataclass(frozen=True)
class MacroContext:
    """The values macros expand to during one ``check_host()`` call."""

    sender: str  # <sender>, with "postmaster" filled in for an empty local part
    domain: str  # <domain>, the current domain (changes with include/redirect)
    ip: IpAddress
    helo: str = ""
    receiver: str = "unknown"
    now: float | None = None  # seconds since the epoch for %{t}; None = current time

    @property
    def local_part(self) -> str:
        """The part of the sender before the last ``@``."""
        return self.sender.rpartition("@")[0]

    @property
    def sender_domain(self) -> str:
        """The part of the sender after the last ``@`` (``%{o}``)."""
        return self.sender.rpartition("@")[2]


ValidatedName = Callable[[], Awaitable[str]]


async def expand(
    tokens: tuple[Token, ...], context: MacroContext, validated_name: ValidatedName
) -> str:
    """Expand tokens to text. ``validated_name`` gives ``%{p}`` (it may look up DNS)."""
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, str):
            parts.append(token)
            continue
        value = (
            await validated_name() if token.letter == "p" else _letter_value(token.letter, context)
        )
        parts.append(_transform(value, token))
    return "".join(parts)


def _letter_value(letter: str, context: MacroContext) -> str:
    ip = context.ip
    match letter:
        case "s":
            return context.sender
        case "l":
            return context.local_part
        case "o":
            return context.sender_domain
        case "d":
            return context.domain
        case "i":
            return ip_dotted(ip)
        case "v":
            return "in-addr" if ip.version == 4 else "ip6"
        case "h":
            return context.helo
        case "c":
            return str(ip)
        case "r":
            return context.receiver
        case "t":
            return str(int(time.time() if context.now is None else context.now))
    raise SpfSyntaxError(f"macro letter {letter!r} has no value")  # parse rejects it first


def ip_dotted(ip: IpAddress) -> str:
    """``%{i}``: dotted quad for IPv4, dot-separated nibbles for IPv6 (§7.3)."""
    if ip.version == 4:
        return str(ip)
    return ".".join(ip.exploded.replace(":", ""))


def _transform(value: str, macro: Macro) -> str:
    delimiters = macro.delimiters or "."
    parts = re.split("[" + re.escape(delimiters) + "]", value) if value else [value]
    if macro.reverse:
        parts.reverse()
    if macro.keep:
        parts = parts[-macro.keep :]
    text = ".".join(parts)
    if macro.url_escape:
        # §7.3: upper-case letters URL-escape everything outside RFC 3986 "unreserved".
        text = urllib.parse.quote(text, safe="-._~")
    return text


def truncate_name(name: str) -> str:
    """§7.3: drop whole labels on the left until the name fits in 253 characters."""
    name = name.removesuffix(".")
    while len(name) > MAX_NAME_LENGTH and "." in name:
        name = name.partition(".")[2]
    return name[-MAX_NAME_LENGTH:] if len(name) > MAX_NAME_LENGTH else name
