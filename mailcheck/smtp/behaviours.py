"""Sink behaviours: make the sink act like a strict filter (``kind = "sink-behaviours"``).

A behaviours file is a list of ``[[behaviour]]`` tables; at each SMTP stage the first behaviour
whose ``stage`` is that stage and whose ``match`` fits decides. Format::

    kind = "sink-behaviours"
    format_version = 1

    [[behaviour]]
    name = "greylist everyone"
    stage = "rcpt"                 # connect | helo | mail | rcpt | data
    action = "greylist"            # accept | reject | greylist | delay | disconnect
    seconds = 300                  # greylist: retry allowed after; delay: pause before replying
    code = 550                     # reject only (4xx or 5xx) ...
    status = "5.7.1"               # ... with its enhanced status code (same class)
    text = "Not accepted here"     # optional reply text
    match = { client_ip = ["54.240.27.0/24"], mail_from = ["*@trimble.com"] }

Match keys (each a list; any entry may fit; all given keys must fit): ``client_ip`` (IP or
network), ``helo``, ``mail_from``, ``rcpt_to`` (case-insensitive ``*``/``?`` patterns). A key is
only usable from the stage where SMTP has told us its value.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from mailcheck.rulefiles.loader import Problems, RulesDocument, Table, check_header, read_rules_file

KIND = "sink-behaviours"
FORMAT_VERSION = 1
MAX_DELAY = 600  # a stage delay longer than a client's own timeout only tests the client
MAX_GREYLIST = 86400
# Greylisting's client prefix per key: (shortest allowed, the default: the exact address).
PREFIX_RANGES = {"ipv4_prefix": (8, 32), "ipv6_prefix": (16, 128)}
_STATUS = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})$")


class Stage(StrEnum):
    """Where in the SMTP dialogue a behaviour applies, in dialogue order."""

    CONNECT = "connect"
    HELO = "helo"
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"


class Action(StrEnum):
    """What a matching behaviour does."""

    ACCEPT = "accept"
    REJECT = "reject"
    GREYLIST = "greylist"
    DELAY = "delay"
    DISCONNECT = "disconnect"


_FIRST_STAGE = {
    "client_ip": Stage.CONNECT,
    "helo": Stage.HELO,
    "mail_from": Stage.MAIL,
    "rcpt_to": Stage.RCPT,
}
_ORDER = list(Stage)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
E = TypeVar("E", Stage, Action)


@dataclass(frozen=True)
class Match:
    """Conditions; an empty tuple means "any"."""

    client_ip: tuple[Network, ...] = ()
    helo: tuple[str, ...] = ()
    mail_from: tuple[str, ...] = ()
    rcpt_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Behaviour:
    """One rule of a behaviours file."""

    name: str
    stage: Stage
    action: Action
    match: Match
    seconds: int = 0
    code: int = 0
    status: str = ""
    text: str = ""
    # Greylisting: how much of the client address counts, as real greylisters differ
    # (postgrey: /24 and /64; rspamd: /19 and /64). Exact by default.
    ipv4_prefix: int = 32
    ipv6_prefix: int = 128

    def client_key(self, ip: str) -> str:
        """The client part of a greylisting triplet: ``ip`` cut to the prefix."""
        address = ipaddress.ip_address(ip)
        prefix = self.ipv4_prefix if address.version == 4 else self.ipv6_prefix
        return str(ipaddress.ip_network((address, prefix), strict=False))

    def reply(self) -> str:
        """The SMTP reply for reject (and the default greylist/disconnect replies)."""
        match self.action:
            case Action.REJECT:
                return f"{self.code} {self.status} {self.text or 'Rejected by sink behaviour'}"
            case Action.GREYLIST:
                return f"450 4.7.1 {self.text or 'Greylisted, please try again later'}"
            case Action.DISCONNECT:
                return f"421 4.7.0 {self.text or 'Closing connection (sink behaviour)'}"
        return "250 2.0.0 OK"


@dataclass(frozen=True)
class Facts:
    """What is known about the session when a stage is reached."""

    client_ip: str
    helo: str = ""
    mail_from: str = ""
    rcpt_to: tuple[str, ...] = ()


def decide(behaviours: Sequence[Behaviour], stage: Stage, facts: Facts) -> Behaviour | None:
    """The first behaviour for ``stage`` whose match fits ``facts``; None means default."""
    for behaviour in behaviours:
        if behaviour.stage is stage and matches(behaviour.match, facts):
            return behaviour
    return None


def matches(match: Match, facts: Facts) -> bool:
    """True when every condition given in ``match`` fits."""
    if match.client_ip and not _ip_in(facts.client_ip, match.client_ip):
        return False
    if match.helo and not _fits(facts.helo, match.helo):
        return False
    if match.mail_from and not _fits(facts.mail_from, match.mail_from):
        return False
    return not match.rcpt_to or any(_fits(r, match.rcpt_to) for r in facts.rcpt_to)


def _ip_in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in networks)


def _fits(value: str, patterns: tuple[str, ...]) -> bool:
    lowered = value.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in patterns)


def load_behaviours(path: Path) -> tuple[Behaviour, ...]:
    """Read and strictly validate a behaviours file (``ProfileError`` lists every problem)."""
    return behaviours_from_document(read_rules_file(path))


def behaviours_from_document(document: RulesDocument) -> tuple[Behaviour, ...]:
    """Validate a parsed behaviours file; the ``rulebook`` validator for this kind."""
    problems = Problems(document.path)
    root = Table(document.data, "", problems)
    check_header(root, KIND, FORMAT_VERSION)
    found = [_behaviour(t) for t in root.tables("behaviour", required=True)]
    root.finish()
    problems.raise_if_any()
    return tuple(b for b in found if b is not None)


def _behaviour(table: Table) -> Behaviour | None:
    name = table.text("name")
    stage = _enum(table, "stage", Stage)
    action = _enum(table, "action", Action)
    match = _match(table.table("match"), stage)
    seconds = table.integer("seconds", required=action in (Action.GREYLIST, Action.DELAY))
    code = table.integer("code", required=action is Action.REJECT)
    status = table.text("status", required=action is Action.REJECT)
    text = table.text("text", required=False)
    prefixes = {
        key: table.integer(key, required=False, default=full)
        for key, (_, full) in PREFIX_RANGES.items()
    }
    for key in prefixes:
        if key in table and action not in (None, Action.GREYLIST):
            table.problem(key, "only greylisting uses a client prefix")
    table.finish()
    if stage is None or action is None or match is None:
        return None
    behaviour = Behaviour(name, stage, action, match, seconds, code, status, text, **prefixes)
    return behaviour if _consistent(table, behaviour) else None


def _enum(table: Table, key: str, kind: type[E]) -> E | None:
    value = table.text(key)
    try:
        return kind(value)
    except ValueError:
        table.problem(key, f"expected one of: {', '.join(kind)}")
        return None


def _match(table: Table, stage: Stage | None) -> Match | None:
    networks: list[Network] = []
    for _path, text in table.strings("client_ip"):
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            table.problem("client_ip", f"not an IP address or network: {text!r}")
    patterns = {key: _patterns(table, key) for key in ("helo", "mail_from", "rcpt_to")}
    table.finish()
    for key, first in _FIRST_STAGE.items():
        used = networks if key == "client_ip" else patterns[key]
        if used and stage is not None and _ORDER.index(stage) < _ORDER.index(first):
            table.problem(key, f"not known yet at stage {stage!r} (first at {first!r})")
    return Match(tuple(networks), patterns["helo"], patterns["mail_from"], patterns["rcpt_to"])


def _patterns(table: Table, key: str) -> tuple[str, ...]:
    found = []
    for _path, text in table.strings(key):
        if not text or len(text) > 320 or any(ord(c) < 32 for c in text):
            table.problem(key, "expected a non-empty pattern without control characters")
        else:
            found.append(text.lower())
    return tuple(found)


def _consistent(table: Table, behaviour: Behaviour) -> bool:
    ok = True
    if behaviour.action is Action.REJECT:
        status = _STATUS.match(behaviour.status)
        if not 400 <= behaviour.code <= 599:
            table.problem("code", "a reject code must be 4xx or 5xx")
            ok = False
        elif status is None or status.group(1) != str(behaviour.code)[0]:
            table.problem("status", "expected an enhanced status of the same class, e.g. 5.7.1")
            ok = False
    if behaviour.action is Action.GREYLIST:
        if behaviour.stage is not Stage.RCPT:
            table.problem("stage", 'greylisting needs the triplet: use stage = "rcpt"')
            ok = False
        if not 1 <= behaviour.seconds <= MAX_GREYLIST:
            table.problem("seconds", f"expected 1 to {MAX_GREYLIST}")
            ok = False
        for key, (low, high) in PREFIX_RANGES.items():
            if not low <= getattr(behaviour, key) <= high:
                table.problem(key, f"expected {low} to {high}")
                ok = False
    if behaviour.action is Action.DELAY and not 0 <= behaviour.seconds <= MAX_DELAY:
        table.problem("seconds", f"expected 0 to {MAX_DELAY}")
        ok = False
    return ok
