"""RFC 7208 ``check_host()`` on the mailcheck ``Resolver``, returning a full trace.

Only TXT records are consulted (§3.1, §4.4: type SPF 99 is obsolete). Every lookup that cannot
complete gives temperror, never fail or none. The 10 DNS-lookup and 2 void-lookup limits are
shared across nested include/redirect evaluations (§4.6.4).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from mailcheck.base.errors import DnsError, SpfSyntaxError
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.protocols.spf import lookups
from mailcheck.protocols.spf.lookups import Budget, SpfPermError, SpfTempError
from mailcheck.protocols.spf.macro import (
    IpAddress,
    MacroContext,
    Token,
    expand,
    parse_macro_string,
    truncate_name,
)
from mailcheck.protocols.spf.mechanisms import match_mechanism
from mailcheck.protocols.spf.record import Mechanism, Qualifier, Record, is_spf_record, parse_record
from mailcheck.protocols.spf.trace import RecordTrace, SpfOutcome, SpfResult, TermTrace

_QUALIFIER_RESULT = {
    Qualifier.PASS: SpfResult.PASS,
    Qualifier.FAIL: SpfResult.FAIL,
    Qualifier.SOFTFAIL: SpfResult.SOFTFAIL,
    Qualifier.NEUTRAL: SpfResult.NEUTRAL,
}


def client_ip(text: str | IpAddress) -> IpAddress:
    """The client address; an IPv4-mapped IPv6 address is treated as IPv4 (§5)."""
    ip = ipaddress.ip_address(text) if isinstance(text, str) else text
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_valid_domain(domain: str) -> bool:
    """§4.3: a multi-label name whose labels are 1-63 octets, not a domain literal."""
    name = domain.removesuffix(".")
    labels = name.split(".")
    if name.startswith("[") or len(name) > lookups.MAX_NAME or len(labels) < 2:
        return False
    return all(0 < len(label) < 64 for label in labels)


async def check_host(
    resolver: Resolver,
    ip: str | IpAddress,
    domain: str,
    sender: str,
    *,
    helo: str = "",
    receiver: str = "unknown",
    default_explanation: str = "",
) -> SpfOutcome:
    """Evaluate SPF for ``ip`` sending as ``sender`` with policy domain ``domain`` (§4).

    Never raises for DNS trouble (that is temperror); ``ValueError`` only for a malformed ``ip``.
    """
    local, at, sender_domain = sender.rpartition("@")
    if not at:
        local, sender_domain = "", sender
    sender = f"{local or 'postmaster'}@{sender_domain}"  # §4.3: empty local part
    context = MacroContext(sender, domain.lower().removesuffix("."), client_ip(ip), helo, receiver)
    run = _Evaluation(resolver, context, default_explanation)
    trace = await run.evaluate(context.domain, ())
    return SpfOutcome(
        trace.result, trace, trace.explanation, run.budget.lookups, run.budget.void_lookups
    )


@dataclass
class _Evaluation:
    """The state of one ``check_host()`` call: the budget shared by every nested record."""

    resolver: Resolver
    context: MacroContext
    default_explanation: str
    budget: Budget = field(default_factory=Budget)
    _ptr_names: tuple[str, ...] | None = None

    async def evaluate(self, domain: str, stack: tuple[str, ...]) -> RecordTrace:
        """One record: find it, parse it, walk its terms (§4.4 - §4.7)."""
        if not is_valid_domain(domain):
            return RecordTrace(domain, SpfResult.NONE, reason=f"{domain!r} is not a valid domain")
        try:
            record, strings = await self._record(domain)
        except SpfTempError as exc:
            return RecordTrace(domain, SpfResult.TEMPERROR, reason=exc.reason)
        except SpfPermError as exc:
            return RecordTrace(domain, SpfResult.PERMERROR, reason=exc.reason)
        if isinstance(record, str):
            return RecordTrace(domain, SpfResult.NONE, reason=record)
        return await self._walk(record, domain, (*stack, domain), strings)

    async def _record(self, domain: str) -> tuple[Record | str, tuple[str, ...]]:
        """The parsed record (or a reason why there is none, §4.5) and its TXT strings when
        it is split into several."""
        answer = await lookups.lookup(self.resolver, domain, RRType.TXT)
        if answer.outcome is Outcome.NXDOMAIN:
            return f"{domain} does not exist", ()
        found = [text for text in answer.records if is_spf_record(text)]
        if not found:
            return f"{domain} has no v=spf1 TXT record", ()
        if len(found) > 1:
            raise SpfPermError(f"{domain} publishes {len(found)} v=spf1 records (§4.5)")
        strings = answer.strings[answer.records.index(found[0])] if answer.strings else ()
        try:
            return parse_record(found[0]), strings if len(strings) > 1 else ()
        except SpfSyntaxError as exc:
            raise SpfPermError(f"syntax error in the record of {domain}: {exc}") from exc

    async def _walk(
        self, record: Record, domain: str, stack: tuple[str, ...], strings: tuple[str, ...] = ()
    ) -> RecordTrace:
        terms: list[TermTrace] = []
        base = RecordTrace(domain, SpfResult.NEUTRAL, record.text, strings=strings)
        for mechanism in record.mechanisms:
            try:
                matched, trace = await self._term(mechanism, domain, stack)
            except (SpfPermError, SpfTempError, _TermError) as exc:
                return self._errored(base, terms, mechanism.text, exc)
            terms.append(trace)
            if matched:
                result = _QUALIFIER_RESULT[mechanism.qualifier]
                explanation = (
                    await self._explain(record, domain) if result is SpfResult.FAIL else ""
                )
                return _finish(base, terms, result, mechanism.text, explanation=explanation)
        if record.redirect is not None and not record.has_all:
            return await self._redirect(base, terms, record, stack)
        return _finish(base, terms, SpfResult.NEUTRAL, reason="no mechanism matched (§4.7)")

    async def _term(
        self, mechanism: Mechanism, domain: str, stack: tuple[str, ...]
    ) -> tuple[bool, TermTrace]:
        before = (self.budget.lookups, self.budget.void_lookups)
        target = ""
        try:
            if mechanism.counts_lookup:
                self.budget.spend(mechanism.text)
                target = await self._target(mechanism.domain_spec, domain)
            if mechanism.name == "include":
                return await self._include(mechanism, target, stack, before)
            outcome = await match_mechanism(
                self.resolver, self.budget, mechanism, target, self.context.ip
            )
        except (SpfPermError, SpfTempError) as exc:
            trace = self._trace(mechanism.text, target, before, note=exc.reason)
            raise _TermError(trace, exc) from exc
        trace = self._trace(mechanism.text, target, before, outcome.matched, outcome.note)
        return outcome.matched, trace

    def _trace(
        self,
        term: str,
        target: str,
        before: tuple[int, int],
        matched: bool = False,
        note: str = "",
        child: RecordTrace | None = None,
    ) -> TermTrace:
        """A term's trace, charging it the lookups spent since ``before``."""
        lookups_used = self.budget.lookups - before[0]
        void_used = self.budget.void_lookups - before[1]
        return TermTrace(term, target, matched, lookups_used, void_used, note, child)

    async def _include(
        self, mechanism: Mechanism, target: str, stack: tuple[str, ...], before: tuple[int, int]
    ) -> tuple[bool, TermTrace]:
        """§5.2: pass matches; fail/softfail/neutral do not; errors and none are errors."""
        if target in stack:
            raise SpfPermError(f"include loop: {' -> '.join((*stack, target))}")
        child = await self.evaluate(target, stack)
        note = f"included record gave {child.result}"
        trace = self._trace(
            mechanism.text, target, before, child.result is SpfResult.PASS, note, child
        )
        if child.result is SpfResult.TEMPERROR:
            raise _TermError(trace, SpfTempError(f"include:{target} gave temperror"))
        if child.result in (SpfResult.PERMERROR, SpfResult.NONE):
            raise _TermError(trace, SpfPermError(f"include:{target} gave {child.result}"))
        return trace.matched, trace

    async def _redirect(
        self, base: RecordTrace, terms: list[TermTrace], record: Record, stack: tuple[str, ...]
    ) -> RecordTrace:
        """§6.1: the redirected domain's result is this record's result; none is permerror."""
        assert record.redirect is not None
        before = (self.budget.lookups, self.budget.void_lookups)
        try:
            self.budget.spend(record.redirect.text)
            target = await self._target(record.redirect.value, base.domain)
            if target in stack:
                raise SpfPermError(f"redirect loop: {' -> '.join((*stack, target))}")
        except (SpfPermError, SpfTempError) as exc:
            return self._errored(base, terms, record.redirect.text, exc)
        child = await self.evaluate(target, stack)
        result = SpfResult.PERMERROR if child.result is SpfResult.NONE else child.result
        note = f"redirected record gave {child.result}"
        terms.append(self._trace(record.redirect.text, target, before, True, note, child))
        reason = f"redirect={target} has no SPF record" if child.result is SpfResult.NONE else ""
        return _finish(
            base, terms, result, record.redirect.text, reason, explanation=child.explanation
        )

    def _errored(
        self,
        base: RecordTrace,
        terms: list[TermTrace],
        term: str,
        exc: SpfPermError | SpfTempError | _TermError,
    ) -> RecordTrace:
        if isinstance(exc, _TermError):
            terms.append(exc.trace)
            exc = exc.error
        else:
            terms.append(TermTrace(term, note=exc.reason))
        result = SpfResult.TEMPERROR if isinstance(exc, SpfTempError) else SpfResult.PERMERROR
        return _finish(base, terms, result, reason=exc.reason)

    async def _target(self, spec: tuple[Token, ...], domain: str) -> str:
        """The domain a term looks up: its expanded domain-spec, or the current domain."""
        if not spec:
            return domain
        context = _with_domain(self.context, domain)
        expanded = await expand(spec, context, self._p_macro(domain))
        return lookups.check_name(truncate_name(expanded))

    def _p_macro(self, domain: str) -> Callable[[], Awaitable[str]]:
        """§7.3 ``%{p}`` for the current ``domain``: a validated name of the client."""

        async def validated_name() -> str:
            if self._ptr_names is None:  # looked up once per check_host(), on first use
                _answer, names = await lookups.validated_names(self.resolver, self.context.ip)
                self._ptr_names = names
            own = [n for n in self._ptr_names if lookups.is_subdomain(n, domain)]
            return (own or list(self._ptr_names) or ["unknown"])[0]

        return validated_name

    async def _explain(self, record: Record, domain: str) -> str:
        """§6.2: the exp= text; any trouble with it gives the default explanation."""
        if record.exp is None:
            return self.default_explanation
        context = _with_domain(self.context, domain)
        try:
            name = lookups.check_name(
                truncate_name(await expand(record.exp.value, context, self._p_macro(domain)))
            )
            answer = await self.resolver.resolve(name, RRType.TXT)
            if len(answer.records) != 1:
                return self.default_explanation
            tokens = parse_macro_string(answer.records[0], explanation=True)
            return await expand(tokens, context, self._p_macro(domain))
        except (DnsError, SpfPermError, SpfSyntaxError):
            return self.default_explanation


class _TermError(Exception):
    """An include whose child errored: keep the child's trace while propagating the error."""

    def __init__(self, trace: TermTrace, error: SpfPermError | SpfTempError) -> None:
        super().__init__(error.reason)
        self.trace = trace
        self.error = error
        self.reason = error.reason


def _finish(
    base: RecordTrace,
    terms: list[TermTrace],
    result: SpfResult,
    matched: str = "",
    reason: str = "",
    explanation: str = "",
) -> RecordTrace:
    return RecordTrace(
        base.domain,
        result,
        base.record,
        tuple(terms),
        matched,
        reason,
        explanation,
        base.strings,
    )


def _with_domain(context: MacroContext, domain: str) -> MacroContext:
    return MacroContext(
        context.sender, domain, context.ip, context.helo, context.receiver, context.now
    )
