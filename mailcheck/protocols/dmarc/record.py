"""DMARC policy records per RFC 9989 (DMARCbis): parse, apply defaults, explain.

RFC 9989 §5.3: unknown tags are ignored and syntax errors in a tag's value fall back to the
tag's default, so a record is rarely "invalid" as a whole. We keep every such problem, and
every place where the RFC 7489 reading would differ, so checks can explain them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from mailcheck.protocols.dmarc.uri import ReportUri, parse_uris

_T = TypeVar("_T")
MAX_TAGS = 40  # more tags than this is hostile data; the rest are ignored (noted)
_WSP = " \t"
_VERSION = re.compile(r"^[vV][ \t]*=[ \t]*DMARC1[ \t]*$")  # "DMARC1" is case-sensitive
_TAG = re.compile(r"^([A-Za-z]+)[ \t]*=[ \t]*(.*?)[ \t]*$", re.DOTALL)
_VALUE = re.compile(r"^[\t\x20-\x3a\x3c-\x7e]+$")  # WSP may sit inside lists
_FO_9989 = {"0", "1", "d", "s", "d:s", "s:d"}
_REMOVED = {"pct", "rf", "ri"}


class Policy(StrEnum):
    """A Domain Owner Assessment Policy (``p``, ``sp``, ``np``)."""

    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


class Alignment(StrEnum):
    """Identifier alignment mode (``adkim``, ``aspf``)."""

    RELAXED = "r"
    STRICT = "s"


class PsdFlag(StrEnum):
    """The ``psd`` tag: y = a Public Suffix Domain, n = an Organizational Domain, u = unset."""

    YES = "y"
    NO = "n"
    UNSET = "u"


@dataclass(frozen=True)
class TagNote:
    """One remark about a tag: a syntax error (``error``) or an explanation (``note``)."""

    tag: str
    kind: str  # "error", "removed", "unknown", "legacy" (RFC 7489 differs), "advice"
    message: str


@dataclass(frozen=True)
class InvalidRecord:
    """A TXT string that is not a usable DMARC record as a whole."""

    text: str
    reason: str
    is_dmarc: bool  # False: it does not start with v=DMARC1 (RFC 9989 discards it)


@dataclass(frozen=True)
class DmarcRecord:
    """A parsed DMARC record with RFC 9989 defaults applied where a tag is absent or bad."""

    text: str
    p: Policy | None = None  # None: absent or invalid
    sp: Policy | None = None
    np: Policy | None = None
    psd: PsdFlag = PsdFlag.UNSET
    test_mode: bool = False  # t=y
    adkim: Alignment = Alignment.RELAXED
    aspf: Alignment = Alignment.RELAXED
    rua: tuple[ReportUri, ...] = ()
    ruf: tuple[ReportUri, ...] = ()
    fo: str = "0"
    tags: tuple[str, ...] = ()  # tag names as written, lower-case, in order
    pct: int | None = None  # removed in RFC 9989; kept to explain the RFC 7489 reading
    ri: int | None = None
    rf: tuple[str, ...] = ()
    invalid_policy: bool = False  # a p, sp or np tag is present with a bad value
    notes: tuple[TagNote, ...] = ()

    @property
    def errors(self) -> tuple[TagNote, ...]:
        """Syntax errors a receiver skipped (falling back to defaults)."""
        return tuple(n for n in self.notes if n.kind == "error")

    @property
    def usable(self) -> bool:
        """RFC 9989 §4.10.1: a bad p/sp/np leaves DMARC applied only if rua has a valid URI."""
        return not self.invalid_policy or bool(self.rua)

    @property
    def policy(self) -> Policy:
        """The policy for the domain itself (p=none when absent, or bad with a valid rua)."""
        return Policy.NONE if self.invalid_policy else (self.p or Policy.NONE)

    @property
    def subdomain_policy(self) -> Policy:
        """Policy for existing subdomains: sp, else p."""
        return Policy.NONE if self.invalid_policy else (self.sp or self.policy)

    @property
    def nonexistent_policy(self) -> Policy:
        """Policy for non-existent subdomains: np, else sp, else p."""
        return Policy.NONE if self.invalid_policy else (self.np or self.subdomain_policy)


def parse_record(text: str) -> DmarcRecord | InvalidRecord:
    """Parse one TXT record; never raises on hostile input."""
    head, _, rest = text.partition(";")
    if not (text[:1] in ("v", "V") and _VERSION.match(head)):
        return InvalidRecord(text, "does not start with the tag v=DMARC1", is_dmarc=False)
    pairs, notes = _split_tags(rest)
    seen: set[str] = set()
    for name, _value in pairs:
        if name in seen:
            # RFC 9989 §5.3 uses the DKIM tag-list syntax; RFC 6376 §3.2: a duplicate tag
            # makes the whole tag-list invalid.
            return InvalidRecord(text, f"tag {name!r} appears more than once", is_dmarc=True)
        seen.add(name)
    builder = _Builder(text, notes)
    for name, value in pairs:
        builder.add(name, value)
    return builder.finish([name for name, _ in pairs])


def _split_tags(rest: str) -> tuple[list[tuple[str, str]], list[TagNote]]:
    pairs: list[tuple[str, str]] = []
    notes: list[TagNote] = []
    parts = rest.split(";") if rest else []
    if len(parts) > MAX_TAGS:
        notes.append(TagNote("", "error", f"more than {MAX_TAGS} tags; the rest are ignored"))
        parts = parts[:MAX_TAGS]
    for index, raw in enumerate(parts):
        part = raw.strip(_WSP)
        if not part:
            if index != len(parts) - 1:
                notes.append(TagNote("", "error", "empty tag between two ';' (ignored)"))
            continue
        match = _TAG.match(part)
        if match is None or not match.group(2):
            shown = part[:40]
            notes.append(TagNote("", "error", f"{shown!r} is not tag=value (ignored)"))
            continue
        name, value = match.group(1).lower(), match.group(2)
        if not _VALUE.match(value):
            notes.append(TagNote(name, "error", "value has non-printable characters (ignored)"))
            continue
        pairs.append((name, value))
    return pairs, notes


class _Builder:
    """Interprets tags one by one; bad values are noted and replaced by defaults."""

    def __init__(self, text: str, notes: list[TagNote]) -> None:
        self.text = text
        self.notes = notes
        self.values: dict[str, object] = {}
        self.invalid_policy = False

    def note(self, tag: str, kind: str, message: str) -> None:
        self.notes.append(TagNote(tag, kind, message))

    def add(self, name: str, value: str) -> None:
        low = value.lower()
        if name in ("p", "sp", "np"):
            self._policy(name, low)
        elif name in ("adkim", "aspf"):
            self._choice(name, low, {"r": Alignment.RELAXED, "s": Alignment.STRICT}, "r")
        elif name == "psd":
            self._choice(name, low, {f.value: f for f in PsdFlag}, "u")
        elif name == "t":
            self._choice(name, low, {"y": True, "n": False}, "n")
        elif name in ("rua", "ruf"):
            self.values[name] = parse_uris(name, value, self.note)
        elif name == "fo":
            self._fo(low)
        elif name in _REMOVED:
            self._removed(name, value)
        else:
            self.note(name, "unknown", f"unknown tag {name!r} is ignored (RFC 9989 §5.3)")

    def _policy(self, name: str, low: str) -> None:
        try:
            self.values[name] = Policy(low)
        except ValueError:
            self.invalid_policy = True
            self.note(
                name,
                "error",
                f"{name}={low[:30]!r} is not none, quarantine or reject: receivers apply "
                "p=none if rua has a valid URI, otherwise no DMARC at all (RFC 9989 §4.10.1)",
            )

    def _choice(self, name: str, low: str, allowed: dict[str, object], default: str) -> None:
        if low in allowed:
            self.values[name] = allowed[low]
        else:
            choices = "/".join(allowed)
            self.note(name, "error", f"{name}={low[:30]!r} is not {choices}: default {default}")

    def _fo(self, low: str) -> None:
        compact = low.replace(" ", "").replace("\t", "")
        if compact in _FO_9989:
            self.values["fo"] = compact
            return
        legacy = all(part in ("0", "1", "d", "s") for part in compact.split(":"))
        extra = " (RFC 7489 accepted any ':'-list of 0, 1, d, s)" if legacy else ""
        self.note("fo", "error", f"fo={low[:30]!r} is not valid in RFC 9989: default 0{extra}")

    def _removed(self, name: str, value: str) -> None:
        if name == "pct":
            self.values["pct"] = _int(value, 0, 100)
        elif name == "ri":
            self.values["ri"] = _int(value, 0, 2**31 - 1)
        else:
            self.values["rf"] = tuple(v.strip(_WSP).lower() for v in value.split(":"))
        self.note(name, "removed", _REMOVED_TEXT[name](value, self.values.get(name)))

    def _advice(self) -> None:
        p, sp = self.values.get("p"), self.values.get("sp")
        if sp is Policy.NONE and p in (Policy.QUARANTINE, Policy.REJECT):
            self.note("sp", "advice", f"sp tag value of none: subdomains are unprotected ({p})")
        if "rua" not in self.values:
            self.note("rua", "advice", "no rua: the domain owner gets no aggregate reports")

    def finish(self, order: list[str]) -> DmarcRecord:
        if "p" not in self.values and not self.invalid_policy:
            self.note("p", "legacy", _NO_P)
        elif order and order[0] != "p":
            self.note("p", "legacy", _P_ORDER)
        self._advice()
        if "rua" in self.values and not self.values["rua"] and self.invalid_policy:
            self.note("rua", "error", "rua has no valid URI, so the bad policy disables DMARC")
        v = self.values
        return DmarcRecord(
            text=self.text,
            p=_get(v, "p", Policy),
            sp=_get(v, "sp", Policy),
            np=_get(v, "np", Policy),
            psd=_get(v, "psd", PsdFlag) or PsdFlag.UNSET,
            test_mode=v.get("t") is True,
            adkim=_get(v, "adkim", Alignment) or Alignment.RELAXED,
            aspf=_get(v, "aspf", Alignment) or Alignment.RELAXED,
            rua=_get_tuple(v, "rua"),
            ruf=_get_tuple(v, "ruf"),
            fo=str(v.get("fo", "0")),
            tags=tuple(order),
            pct=_get(v, "pct", int),
            ri=_get(v, "ri", int),
            rf=_get_strings(v, "rf"),
            invalid_policy=self.invalid_policy,
            notes=tuple(self.notes),
        )


_NO_P = (
    "no p tag: RFC 9989 reads this as p=none; under RFC 7489 a record without p was invalid "
    "(only a valid rua made receivers treat it as p=none)"
)
_P_ORDER = (
    "p is not the first tag after v: fine in RFC 9989, but RFC 7489's grammar required it "
    "there, and some older receivers reject the record"
)


def _pct_text(raw: str, parsed: object) -> str:
    base = "pct was removed in RFC 9989 and is ignored: the policy applies to all failing mail"
    if parsed == 0:
        return base + (
            "; under RFC 7489 pct=0 meant 'apply the policy to no message' (use t=y for "
            "testing now)"
        )
    if isinstance(parsed, int) and parsed < 100:
        return base + f"; under RFC 7489 only {parsed}% of failing mail got the policy"
    if parsed is None:
        return base + f"; {raw[:20]!r} was not a valid RFC 7489 pct either"
    return base


def _ri_text(raw: str, parsed: object) -> str:
    base = "ri (report interval) was removed in RFC 9989 and is ignored"
    return base if parsed is not None else base + f"; {raw[:20]!r} was not valid RFC 7489 either"


def _rf_text(raw: str, parsed: object) -> str:
    return "rf (failure report format) was removed in RFC 9989 and is ignored"


_REMOVED_TEXT: dict[str, Callable[[str, object], str]] = {
    "pct": _pct_text,
    "ri": _ri_text,
    "rf": _rf_text,
}


def _int(value: str, low: int, high: int) -> int | None:
    text = value.strip(_WSP)
    if not text.isdigit() or len(text) > 12:
        return None
    number = int(text)
    return number if low <= number <= high else None


def _get(values: dict[str, object], key: str, kind: type[_T]) -> _T | None:
    value = values.get(key)
    return value if isinstance(value, kind) else None


def _get_tuple(values: dict[str, object], key: str) -> tuple[ReportUri, ...]:
    value = values.get(key, ())
    return tuple(v for v in value if isinstance(v, ReportUri)) if isinstance(value, tuple) else ()


def _get_strings(values: dict[str, object], key: str) -> tuple[str, ...]:
    value = values.get(key, ())
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, tuple) else ()
