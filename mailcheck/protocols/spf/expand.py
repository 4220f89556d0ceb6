"""Expand an SPF record to the networks it authorizes, without a client IP (static view).

Follows include, redirect, a and mx; ip4/ip6 give networks directly. What cannot be known
without a connecting client (exists, ptr, macros in a domain-spec) or without DNS (a lookup
that failed) is marked unexpandable with a reason instead of being guessed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from dataclasses import dataclass

from mailcheck.base.errors import DnsError, SpfSyntaxError
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.protocols.spf import lookups
from mailcheck.protocols.spf.macro import IpAddress, Token
from mailcheck.protocols.spf.record import (
    Mechanism,
    Network,
    Qualifier,
    Record,
    is_spf_record,
    parse_record,
)
from mailcheck.protocols.spf.trace import SpfResult

# Hostile or broken data must not make expansion unbounded: cap the records fetched and the
# address lookups made per expansion (check_host() itself stops at 10 DNS-lookup terms).
MAX_RECORDS = 40
MAX_ADDRESS_LOOKUPS = 100
_RESULT = {
    Qualifier.PASS: SpfResult.PASS,
    Qualifier.FAIL: SpfResult.FAIL,
    Qualifier.SOFTFAIL: SpfResult.SOFTFAIL,
    Qualifier.NEUTRAL: SpfResult.NEUTRAL,
}


@dataclass(frozen=True)
class ExpandedTerm:
    """One term with the networks it stands for, or why they cannot be known statically."""

    term: str
    qualifier: Qualifier = Qualifier.PASS
    networks: tuple[Network, ...] = ()
    child: ExpandedRecord | None = None  # include / redirect target
    unexpandable: str = ""  # non-empty: the reason this term has no static answer
    is_redirect: bool = False
    is_all: bool = False
    counts_lookup: bool = False  # one of the 10 DNS-querying terms (§4.6.4)
    void_for: tuple[int, ...] = ()  # IP versions for which its lookup is void (§4.6.4)
    permanent: bool = False  # ``unexpandable`` is a permerror for every client


@dataclass(frozen=True)
class AuthorizedNetwork:
    """A network that gets ``pass`` when it matches, and the chain of terms that say so."""

    network: Network
    via: tuple[str, ...]  # "domain: term" steps from the top record down


@dataclass(frozen=True)
class ExpandedRecord:
    """A domain's SPF record expanded term by term (``error`` when it could not be used)."""

    domain: str
    record: str = ""
    terms: tuple[ExpandedTerm, ...] = ()
    error: str = ""  # "" or why this domain yields no usable record
    temporary: bool = False  # the error is a lookup that could not complete
    ignored_redirect: str = ""  # a redirect= term §6.1 ignores because the record has all
    candidates: tuple[str, ...] = ()  # every v=spf1 record found, when there are several
    strings: tuple[str, ...] = ()  # the record's TXT character-strings, when it is split

    @property
    def ending(self) -> str:
        """The qualifier of a top-level ``all`` ("+", "-", "~", "?"), or "" without one."""
        found = [t for t in self.terms if t.is_all]
        return found[0].qualifier.value if found else ""

    def authorized(self) -> tuple[AuthorizedNetwork, ...]:
        """Every network that would give ``pass`` (ignoring shadowing by earlier terms)."""
        out: list[AuthorizedNetwork] = []
        for term in self.terms:
            if term.qualifier is not Qualifier.PASS:
                continue
            step = f"{self.domain}: {term.term}"
            out += [AuthorizedNetwork(n, (step,)) for n in term.networks]
            if term.child is not None:
                out += [
                    AuthorizedNetwork(a.network, (step, *a.via)) for a in term.child.authorized()
                ]
        return tuple(out)

    def unexpandable(self) -> tuple[tuple[str, str], ...]:
        """Every ``("domain: term", reason)`` that has no static answer, nested ones included."""
        out: list[tuple[str, str]] = []
        for term in self.terms:
            if term.unexpandable:
                out.append((f"{self.domain}: {term.term}", term.unexpandable))
            if term.child is not None:
                out += term.child.unexpandable()
        if self.error:
            out.append((self.domain, self.error))
        return tuple(out)

    def static_result(self, ip: IpAddress) -> tuple[SpfResult | None, str]:
        """The result ``ip`` would get, or ``(None, reason)`` when a term has no static answer."""
        if self.error:
            temporary = SpfResult.TEMPERROR if self.temporary else SpfResult.PERMERROR
            return (SpfResult.NONE if self.error.startswith("no SPF") else temporary), self.error
        for term in self.terms:
            if term.unexpandable:
                return None, f"{self.domain}: {term.term}: {term.unexpandable}"
            decided = _term_result(term, ip)
            if decided is not None:
                return decided
        return SpfResult.NEUTRAL, f"{self.domain}: no term matched"


def _term_result(term: ExpandedTerm, ip: IpAddress) -> tuple[SpfResult | None, str] | None:
    """The decision a term makes for ``ip``, or None to go on to the next term."""
    if term.is_all:
        return _RESULT[term.qualifier], term.term
    if term.child is None:
        if any(ip.version == n.version and ip in n for n in term.networks):
            return _RESULT[term.qualifier], term.term
        return None
    result, reason = term.child.static_result(ip)
    if result is None or term.is_redirect:
        final = SpfResult.PERMERROR if result is SpfResult.NONE else result
        return final, f"{term.term} -> {term.child.domain}: {reason}"
    if result is SpfResult.PASS:
        return _RESULT[term.qualifier], f"{term.term} -> {term.child.domain}: {reason}"
    if result in (SpfResult.TEMPERROR, SpfResult.PERMERROR, SpfResult.NONE):
        return SpfResult.PERMERROR if result is SpfResult.NONE else result, reason
    return None


@dataclass
class _Expansion:
    """One expansion run: the resolver and the counters that bound it."""

    resolver: Resolver
    fetched: int = 0
    address_lookups: int = 0

    async def record(self, domain: str, stack: tuple[str, ...]) -> ExpandedRecord:
        """Fetch, parse and expand ``domain``'s record; ``stack`` detects loops."""
        if domain in stack:
            return ExpandedRecord(domain, error=f"loop: {' -> '.join((*stack, domain))}")
        self.fetched += 1
        if self.fetched > MAX_RECORDS:
            return ExpandedRecord(domain, error=f"more than {MAX_RECORDS} records: not followed")
        try:
            parsed, strings = await self._fetch(domain)
        except DnsError as exc:
            return ExpandedRecord(domain, error=f"lookup failed: {exc}", temporary=True)
        if not isinstance(parsed, Record):
            text, error = parsed
            several = tuple(text.split(" | ")) if "v=spf1 records" in error else ()
            return ExpandedRecord(domain, text, error=error, candidates=several)
        expanded = await self.parsed(parsed, domain, stack)
        return dataclasses.replace(expanded, strings=strings)

    async def parsed(self, parsed: Record, domain: str, stack: tuple[str, ...]) -> ExpandedRecord:
        """Expand an already parsed record of ``domain``."""
        terms = await asyncio.gather(
            *(self._mechanism(m, domain, (*stack, domain)) for m in parsed.mechanisms)
        )
        ignored = ""
        if parsed.redirect is not None and not parsed.has_all:
            terms.append(await self._redirect(parsed, domain, (*stack, domain)))
        elif parsed.redirect is not None:
            ignored = parsed.redirect.text
        return ExpandedRecord(domain, parsed.text, tuple(terms), ignored_redirect=ignored)

    async def _fetch(self, domain: str) -> tuple[Record | tuple[str, str], tuple[str, ...]]:
        """The parsed record (or ``(record text, error)`` when there is no usable one), and
        its TXT strings when the record is split into several."""
        answer = await self.resolver.resolve(domain, RRType.TXT)
        found = [t for t in answer.records if is_spf_record(t)]
        if answer.outcome is Outcome.NXDOMAIN or not found:
            return ("", f"no SPF record at {domain}"), ()
        if len(found) > 1:
            return (" | ".join(sorted(found)), f"{len(found)} v=spf1 records (permerror)"), ()
        strings = answer.strings[answer.records.index(found[0])] if answer.strings else ()
        try:
            return parse_record(found[0]), strings
        except SpfSyntaxError as exc:
            return (found[0], f"syntax error: {exc}"), strings

    async def _redirect(self, record: Record, domain: str, stack: tuple[str, ...]) -> ExpandedTerm:
        assert record.redirect is not None
        text = record.redirect.text
        target = _static_name(record.redirect.value, domain)
        if target is None:
            return ExpandedTerm(
                text,
                unexpandable="macro in domain: depends on the message",
                is_redirect=True,
                counts_lookup=True,
            )
        child = await self.record(target, stack)
        return ExpandedTerm(text, child=child, is_redirect=True, counts_lookup=True)

    async def _mechanism(self, m: Mechanism, domain: str, stack: tuple[str, ...]) -> ExpandedTerm:
        if m.name == "all":
            return ExpandedTerm(m.text, m.qualifier, is_all=True)
        if m.network is not None:
            return ExpandedTerm(m.text, m.qualifier, (m.network,))
        if m.name in ("exists", "ptr"):
            return await self._unknowable(m, domain)
        target = _static_name(m.domain_spec, domain)
        if target is None:
            return ExpandedTerm(
                m.text,
                m.qualifier,
                unexpandable="macro in domain: depends on the message",
                counts_lookup=True,
            )
        if m.name == "include":
            child = await self.record(target, stack)
            return ExpandedTerm(m.text, m.qualifier, child=child, counts_lookup=True)
        try:
            networks, void_for = await self._addresses(m, target)
        except lookups.SpfTempError as exc:
            reason = f"lookup failed: {exc}"
            return ExpandedTerm(m.text, m.qualifier, unexpandable=reason, counts_lookup=True)
        except lookups.SpfPermError as exc:  # limits: too many MX names or a/mx terms
            permanent = not exc.reason.endswith("not followed")
            return ExpandedTerm(
                m.text,
                m.qualifier,
                unexpandable=exc.reason,
                counts_lookup=True,
                permanent=permanent,
            )
        return ExpandedTerm(m.text, m.qualifier, networks, counts_lookup=True, void_for=void_for)

    async def _unknowable(self, m: Mechanism, domain: str) -> ExpandedTerm:
        """ptr and exists: what they match depends on the client or the message."""
        if m.name == "ptr":
            reason = "depends on the connecting client's reverse DNS"
            return ExpandedTerm(m.text, m.qualifier, unexpandable=reason, counts_lookup=True)
        reason = "depends on a DNS name built from the message"
        target = _static_name(m.domain_spec, domain)
        void_for: tuple[int, ...] = ()
        if target is not None:  # a fixed name: whether its A lookup is void is knowable
            try:
                answer = await lookups.lookup(self.resolver, target, RRType.A)
                void_for = (4, 6) if lookups.is_void(answer) else ()
            except lookups.SpfTempError:
                void_for = ()
        return ExpandedTerm(
            m.text, m.qualifier, unexpandable=reason, counts_lookup=True, void_for=void_for
        )

    async def _addresses(
        self, m: Mechanism, target: str
    ) -> tuple[tuple[Network, ...], tuple[int, ...]]:
        """The term's networks, and the IP versions for which the evaluator sees a void lookup."""
        self.address_lookups += 1
        if self.address_lookups > MAX_ADDRESS_LOOKUPS:
            raise lookups.SpfPermError(f"more than {MAX_ADDRESS_LOOKUPS} a/mx terms: not followed")
        hosts: tuple[str, ...] = (target,)
        if m.name == "mx":
            answer, hosts = await lookups.mx_hosts(self.resolver, target)
            if lookups.is_void(answer):
                return (), (4, 6)
        answers = await asyncio.gather(
            *(lookups.lookup(self.resolver, h, t) for h in hosts for t in (RRType.A, RRType.AAAA))
        )
        networks: list[Network] = []
        for answer in answers:
            for ip in lookups.parse_addresses(answer):
                prefix = m.cidr4 if ip.version == 4 else m.cidr6
                networks.append(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
        void_for: tuple[int, ...] = ()
        if m.name == "a":  # §5.3 looks up only the client's family: void per family
            void_for = tuple(
                v for v, answer in zip((4, 6), answers, strict=True) if lookups.is_void(answer)
            )
        return tuple(dict.fromkeys(networks)), void_for


def _static_name(spec: tuple[Token, ...], domain: str) -> str | None:
    """The domain a term names, or None when a macro makes it depend on the message."""
    if not spec:
        return domain
    if not all(isinstance(t, str) for t in spec):
        return None
    return "".join(str(t) for t in spec).removesuffix(".").lower()


async def expand_record(resolver: Resolver, domain: str) -> ExpandedRecord:
    """Expand ``domain``'s SPF record (see module docstring)."""
    return await _Expansion(resolver).record(domain.lower().removesuffix("."), ())


async def expand_text(resolver: Resolver, domain: str, text: str) -> ExpandedRecord:
    """Expand ``text`` as if ``domain`` published it (to price a proposed record).

    Raises ``SpfSyntaxError`` when ``text`` is not a valid record.
    """
    name = domain.lower().removesuffix(".")
    return await _Expansion(resolver).parsed(parse_record(text), name, ())
