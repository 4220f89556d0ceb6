"""Inbound TLS posture: MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE TLSA (RFC 7672).

Gathers the ``_mta-sts`` TXT record, fetches and parses the policy over HTTPS when the record
is valid (as senders do), compares the MX hosts with its ``mx:`` patterns, and looks up
``_smtp._tls`` and ``_25._tcp.<mx>`` TLSA. ``tls_findings.evaluate`` decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import replace

from mailcheck.base.errors import DnsError
from mailcheck.base.model import CheckResult
from mailcheck.checks import mx
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.tls_findings import evaluate
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.facts.tls import StsFacts, TlsaLookup, TlsFacts, TxtLookup
from mailcheck.protocols.https import FetchOptions, FetchResult, https_get
from mailcheck.protocols.mtasts import (
    mx_matches,
    parse_policy,
    parse_sts_record,
    parse_tlsrpt_record,
)

POLICY_PATH = "/.well-known/mta-sts.txt"
EVIDENCE_BODY = 2000  # characters of the policy body kept as evidence


class TlsPostureCheck:
    """See ``Check``."""

    name = "tls"
    title = "Inbound TLS: MTA-STS, TLS-RPT, DANE"

    def __init__(self, fetch: FetchOptions | None = None) -> None:
        self._fetch = fetch or FetchOptions()

    @property
    def fetch_options(self) -> FetchOptions:
        """How this check fetches MTA-STS policies."""
        return self._fetch

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        facts = await gather(context.domain, context.resolver, self._fetch)
        return CheckResult(self.name, self.title, evaluate(facts), facts)


async def gather(domain: str, resolver: Resolver, fetch: FetchOptions) -> TlsFacts:
    """Look everything up concurrently and fetch the policy when the record says so.

    Only the TLSA lookups and the policy's ``mx:`` comparison wait for the MX hosts: chaining
    the TXT lookups behind MX would add a round trip to every domain, and a whole timeout to
    a domain whose servers never answer."""
    hosts = asyncio.ensure_future(_mx_hosts(domain, resolver))
    sts, tlsrpt, _ = await asyncio.gather(
        _sts(domain, hosts, resolver, fetch),
        lookup_txt(resolver, f"_smtp._tls.{domain}"),
        hosts,
    )
    tlsa = await asyncio.gather(*(lookup_tlsa(resolver, h) for h in hosts.result()))
    rua, problems = parse_tlsrpt_record(tlsrpt.texts) if tlsrpt.state == "answer" else ((), ())
    return TlsFacts(domain, hosts.result(), sts, tlsrpt, rua, problems, tuple(tlsa))


async def _mx_hosts(domain: str, resolver: Resolver) -> tuple[str, ...]:
    mx_facts = await mx.gather(domain, resolver)
    return tuple(h.exchange for h in mx_facts.hosts) if mx_facts.state == "mx" else ()


async def lookup_txt(resolver: Resolver, name: str) -> TxtLookup:
    """A TXT lookup as data; a lookup that could not complete is state "error"."""
    try:
        answer = await resolver.resolve(name, RRType.TXT)
    except DnsError as exc:
        return TxtLookup(name, "error", error=str(exc))
    return TxtLookup(name, str(answer.outcome), answer.records)


async def lookup_tlsa(resolver: Resolver, host: str) -> TlsaLookup:
    """TLSA records for SMTP on port 25 of ``host`` (RFC 7672 §2.2)."""
    try:
        answer = await resolver.resolve(f"_25._tcp.{host}", RRType.TLSA)
    except DnsError as exc:
        return TlsaLookup(host, "error", error=str(exc))
    return TlsaLookup(host, str(answer.outcome), answer.records)


async def _sts(
    domain: str,
    hosts: Awaitable[tuple[str, ...]],
    resolver: Resolver,
    fetch: FetchOptions,
) -> StsFacts:
    record = await lookup_txt(resolver, f"_mta-sts.{domain}")
    if record.state != "answer":
        return StsFacts(record)
    parsed = parse_sts_record(record.texts)
    facts = StsFacts(record, parsed.id, parsed.problems)
    if not parsed.is_valid:
        return facts  # RFC 8461 §3.1: senders assume no policy, so they fetch nothing
    host = f"mta-sts.{domain}"
    facts = replace(facts, url=f"https://{host}{POLICY_PATH}")
    if not fetch.enabled:
        error = "replaying a DNS snapshot: the policy is not fetched"
        return replace(facts, fetch_error=error, fetch_kind="offline")
    address, error, kind = await _policy_address(resolver, host, fetch)
    if not address:
        return replace(facts, fetch_error=error, fetch_kind=kind)
    result = await https_get(host, POLICY_PATH, address, fetch)
    return _with_policy(facts, result, await hosts)


async def _policy_address(
    resolver: Resolver, host: str, fetch: FetchOptions
) -> tuple[str, str, str]:
    """(address, error, fetch_kind): "dns" when the host has no address, "dns-error" when
    the lookup could not complete."""
    if fetch.address:
        return fetch.address, "", ""
    for rrtype in (RRType.A, RRType.AAAA):
        try:
            answer = await resolver.resolve(host, rrtype)
        except DnsError as exc:
            return "", f"DNS lookup incomplete: {exc}", "dns-error"
        if answer.outcome is Outcome.ANSWER and answer.records:
            return answer.records[0], "", ""
    return "", f"{host} has no A or AAAA record", "dns"


def _with_policy(facts: StsFacts, result: FetchResult, hosts: tuple[str, ...]) -> StsFacts:
    facts = replace(facts, http_status=result.status)
    if result.error_kind:
        return replace(facts, fetch_error=result.error, fetch_kind=result.error_kind)
    if 300 <= result.status < 400:
        where = result.headers.get("location", "")[:200]
        error = f"HTTP {result.status} redirect to {where!r}: not followed (RFC 8461 §3.3)"
        return replace(facts, fetch_error=error, fetch_kind="redirect")
    if result.status != 200:
        return replace(facts, fetch_error=f"HTTP {result.status}", fetch_kind="status")
    if result.content_type != "text/plain":
        error = f"Content-Type is {result.content_type or 'missing'!r}, not text/plain"
        return replace(facts, fetch_error=error, fetch_kind="content-type")
    body = result.body.decode("utf-8", "replace")
    policy = parse_policy(body)
    uncovered = tuple(h for h in hosts if not any(mx_matches(p, h) for p in policy.mx))
    return replace(
        facts,
        body=body[:EVIDENCE_BODY],
        mode=policy.mode,
        max_age=policy.max_age,
        mx_patterns=policy.mx,
        policy_problems=policy.problems,
        uncovered_mx=uncovered,
    )
