"""Which statically expanded networks ``check_host()`` can actually reach (RFC 7208 §4.6.4).

The evaluator walks terms in order and stops with permerror at the 11th DNS-querying term, the
3rd void lookup, an include loop or an include/redirect of a broken record. A network that only
a term past that point names is not authorised: the record fails before it gets there. The walk
follows a client that matches no term (the longest evaluation); void lookups depend on the
client's address family, so each family is walked on its own.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import Enum

from mailcheck.protocols.spf.expand import AuthorizedNetwork, ExpandedRecord, ExpandedTerm
from mailcheck.protocols.spf.lookups import MAX_DNS_LOOKUPS, MAX_VOID_LOOKUPS
from mailcheck.protocols.spf.record import Network, Qualifier

AFTER_ALL = "comes after an all term: never evaluated"
MAPPED = (
    "not authorised: an IPv4-mapped IPv6 range never matches, because check_host() treats "
    "such a client as IPv4 (RFC 7208 §5); publish it as ip4"
)
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


@dataclass(frozen=True)
class Unreachable:
    """A ``pass`` network no client gets: ``reason`` says where the evaluation stops first."""

    network: AuthorizedNetwork
    reason: str


@dataclass(frozen=True)
class Reach:
    """What one address family's walk found."""

    version: int
    lookups: int = 0  # DNS-querying terms a non-matching client meets, counted past any limit
    void_lookups: int = 0
    counted: tuple[str, ...] = ()  # those terms, "domain: term", in evaluation order
    cut: str = ""  # "domain: term" where check_host() stops with an error ("" = never)
    reason: str = ""
    temporary: bool = False  # the cut is a lookup that failed, not a permerror
    at_least: bool = False  # a term whose cost depends on the message was counted once
    reachable: tuple[AuthorizedNetwork, ...] = ()
    unreachable: tuple[Unreachable, ...] = ()


class _End(Enum):
    """How a record's walk ended for the clients that reached its end."""

    OPEN = "no term matched them"
    PASS_ALL = "an +all matched every client"
    CLOSED = "an all, or an error, decided every client"


@dataclass
class _Walk:
    version: int
    lookups: int = 0
    void: int = 0
    counted: list[str] = field(default_factory=list)
    cut: str = ""
    reason: str = ""
    temporary: bool = False
    at_least: bool = False
    reachable: list[AuthorizedNetwork] = field(default_factory=list)
    unreachable: list[Unreachable] = field(default_factory=list)

    def record(self, record: ExpandedRecord, via: tuple[str, ...]) -> _End:
        """Walk one record's terms in evaluation order."""
        stopped = ""
        end = _End.OPEN
        for term in record.terms:
            step = (*via, f"{record.domain}: {term.term}")
            if stopped or self.cut:
                self._skip(term, step, self._cut_reason() if self.cut else stopped)
                continue
            end = self._term(term, step)
            if term.is_all or end is not _End.OPEN:
                stopped = AFTER_ALL
        return end

    def _term(self, term: ExpandedTerm, step: tuple[str, ...]) -> _End:
        if term.counts_lookup and not self._count(term, step[-1]):
            self._skip(term, step, self._cut_reason(), charged=True)
            return _End.CLOSED
        if term.is_all:
            return _End.PASS_ALL if term.qualifier is Qualifier.PASS else _End.CLOSED
        if term.unexpandable:
            self.at_least |= _names_record(term) and "macro" in term.unexpandable
            if term.permanent or term.unexpandable.startswith("lookup failed"):
                self._stop(step[-1], term.unexpandable, not term.permanent)
                return _End.CLOSED
            return _End.OPEN
        if term.qualifier is Qualifier.PASS:
            for network in self._family(term):
                if is_mapped(network):
                    self.unreachable.append(Unreachable(AuthorizedNetwork(network, step), MAPPED))
                else:
                    self.reachable.append(AuthorizedNetwork(network, step))
        if term.child is None:
            return _End.OPEN
        return self._child(term, step)

    def _child(self, term: ExpandedTerm, step: tuple[str, ...]) -> _End:
        child = term.child
        assert child is not None
        if child.error:
            why = (
                child.error
                if child.error != f"no SPF record at {child.domain}"
                else (f"{child.domain} has no SPF record, so {term.term} is a permerror")
            )
            self._stop(step[-1], why, child.temporary)
            return _End.CLOSED
        end = self.record(child, step)
        if self.cut or term.is_redirect:
            return _End.CLOSED  # a redirect's result is the record's result
        if end is _End.PASS_ALL:  # the include matches every client
            return _End.CLOSED
        return _End.OPEN

    def _count(self, term: ExpandedTerm, where: str) -> bool:
        """Charge the term; False when it crosses a limit (the cut is recorded)."""
        self.lookups += 1
        self.counted.append(where)
        if self.lookups > MAX_DNS_LOOKUPS:
            self._stop(
                where,
                f"DNS-querying term number {self.lookups}: more than "
                f"{MAX_DNS_LOOKUPS} (RFC 7208 §4.6.4)",
            )
            return False
        if self.version in term.void_for:
            self.void += 1
            if self.void > MAX_VOID_LOOKUPS:
                self._stop(
                    where,
                    f"void lookup number {self.void}: more than "
                    f"{MAX_VOID_LOOKUPS} (RFC 7208 §4.6.4)",
                )
                return False
        return True

    def _stop(self, where: str, reason: str, temporary: bool = False) -> None:
        if not self.cut:
            self.cut, self.reason, self.temporary = where, reason, temporary

    def _cut_reason(self) -> str:
        return f"not authorised: the record fails before it gets there ({self.cut}: {self.reason})"

    def _skip(
        self,
        term: ExpandedTerm,
        step: tuple[str, ...],
        reason: str,
        passes: bool = True,
        charged: bool = False,
    ) -> None:
        """A term the evaluation never reaches: its pass networks are unreachable."""
        passes = passes and term.qualifier is Qualifier.PASS
        if term.counts_lookup and reason != AFTER_ALL and not charged:
            self.lookups += 1  # keep counting, so the finding can say how far over it is
            self.counted.append(step[-1])
        if passes:
            self.unreachable += [
                Unreachable(AuthorizedNetwork(n, step), reason) for n in self._family(term)
            ]
        if term.child is None:
            return
        inner = reason
        for sub in term.child.terms:
            self._skip(sub, (*step, f"{term.child.domain}: {sub.term}"), inner, passes)
            inner = AFTER_ALL if sub.is_all else inner

    def _family(self, term: ExpandedTerm) -> list[Network]:
        return [n for n in term.networks if n.version == self.version]


def _names_record(term: ExpandedTerm) -> bool:
    """include and redirect: their cost includes the named record's own terms."""
    return term.is_redirect or term.term.lstrip("+-~?").lower().startswith("include:")


def is_mapped(network: Network) -> bool:
    """True for an IPv4-mapped IPv6 range (inside ``::ffff:0:0/96``)."""
    return isinstance(network, ipaddress.IPv6Network) and network.subnet_of(_MAPPED)


def reach(record: ExpandedRecord, version: int) -> Reach:
    """Walk ``record`` for a client of IP ``version`` (4 or 6) that matches no term."""
    walk = _Walk(version)
    if not record.error:
        walk.record(record, ())
    return Reach(
        version,
        walk.lookups,
        walk.void,
        tuple(walk.counted),
        walk.cut,
        walk.reason,
        walk.temporary,
        walk.at_least,
        tuple(walk.reachable),
        tuple(walk.unreachable),
    )
