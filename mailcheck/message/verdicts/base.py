"""What every vendor decoder returns, and the small parsing helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from mailcheck.message.headers import HeaderSection

MAX_VALUE = 8192  # verdict headers are short; longer values are cut before parsing
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


class Disposition(StrEnum):
    """What the filter decided, in words common to every vendor."""

    SPAM = "spam"
    BULK = "bulk"
    PHISH = "phish"
    SPOOF = "spoof"  # failed the vendor's sender authentication (e.g. compauth=fail)
    ALLOWED = "allowed"  # filtering skipped by an allow list or rule
    NOT_SPAM = "not-spam"
    UNKNOWN = "unknown"  # present but not a documented yes/no


# dispositions that put a message in junk or quarantine
HARMFUL = frozenset({Disposition.SPAM, Disposition.BULK, Disposition.PHISH, Disposition.SPOOF})


@dataclass(frozen=True)
class Verdict:
    """One vendor's decoded verdict from one header."""

    vendor: str
    header: str
    disposition: Disposition
    summary: str
    filter: str = ""  # the product id: a rules/providers.toml id or a self-hosted filter name
    score: float | None = None
    threshold: float | None = None
    details: tuple[tuple[str, str], ...] = ()  # (field, meaning) in header order
    tests: tuple[str, ...] = ()  # rules or symbols that fired
    raw: str = ""
    outside: bool = False  # written before the message entered the org: not the org's verdict
    trust_rule: str = ""  # the provenance rule that decided (``mailcheck.message.provenance``)


class Decoder(Protocol):
    """Decodes one vendor's headers; returns nothing when they are absent."""

    @property
    def vendor(self) -> str:
        """The product name shown to the user."""
        ...

    @property
    def product(self) -> str:
        """The product id its verdicts carry (``Verdict.filter``)."""
        ...

    @property
    def headers(self) -> tuple[str, ...]:
        """Lower-case names of the fields this decoder consumes."""
        ...

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """The verdicts found in the header section."""
        ...


def number(text: str | None) -> float | None:
    """A decimal number, or None for anything else (never raises)."""
    text = (text or "").strip()
    return float(text) if _NUMBER.match(text) and len(text) < 20 else None


def pairs(value: str, sep: str = ";", kv: str = ":") -> list[tuple[str, str]]:
    """``KEY:value;KEY:value`` lists, in order; keys upper-cased, values stripped."""
    out: list[tuple[str, str]] = []
    for part in value[:MAX_VALUE].split(sep)[:200]:
        key, found, val = part.partition(kv)
        if found and key.strip():
            out.append((key.strip().upper(), val.strip()))
    return out


def first_value(headers: HeaderSection, name: str) -> str | None:
    """The topmost (most recent) field's value, cut to ``MAX_VALUE``."""
    value = headers.first(name)
    return value[:MAX_VALUE] if value is not None else None


def fmt(value: float | None) -> str:
    """A score for humans: no trailing ``.0``."""
    if value is None:
        return "?"
    return f"{value:g}"
