"""Gather the facts about one message: headers, hops, trust, DKIM, SPF, DMARC, verdicts.

The only I/O is DNS through the ``Resolver`` (the org's MX, DKIM keys, DMARC records, and
SPF once ``mailcheck.protocols.spf`` is wired in through ``AuthEvaluator``). A lookup that cannot
complete is recorded in ``MessageFacts.errors`` and the analysis carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from mailcheck.base.errors import DnsError
from mailcheck.dns.interface import MxRecord, Outcome, Resolver, RRType
from mailcheck.message.arc import chain_status, read_arc
from mailcheck.message.auth import AuthEvaluator, BuiltinAuthEvaluator, SpfOutcome
from mailcheck.message.chain import Chain, build_chain
from mailcheck.message.facts import Identity, MessageFacts
from mailcheck.message.headers import HeaderField, HeaderSection, parse_headers
from mailcheck.message.org import Network, OrgContext, detect_provider, infer_provider
from mailcheck.message.provenance import Entry, entry_of, verdict_provenance
from mailcheck.message.received import ReceivedHop, parse_received
from mailcheck.message.trust import AuthResField, Trust, aggregate, classify
from mailcheck.message.verdicts import Verdict, decode_all
from mailcheck.protocols.dkim import verify_arc, verify_message
from mailcheck.protocols.dmarc.author import author_of

MAX_RECEIVED = 500  # hops analysed; more than this is a loop or an attack
EvaluatorFactory = Callable[[Resolver, SpfOutcome | None], AuthEvaluator]


@dataclass(frozen=True)
class Connection:
    """The SMTP session that handed the message to the analysing receiver (the sink): what
    it saw on the wire, not what a header says. It is the newest hop; every header field,
    Return-Path included, was already in the message when it arrived."""

    client_ip: str
    helo: str
    mail_from: str  # "" for the null sender
    receiver: str = "mailcheck sink"

    def hop(self) -> ReceivedHop:
        """The hop this session adds on top of the message's own Received fields."""
        helo = self.helo or None
        text = f"from {self.helo} [{self.client_ip}] by {self.receiver} (SMTP session)"
        return ReceivedHop(
            raw=text,
            from_host=helo,
            from_ip=self.client_ip or None,
            helo=helo,
            by_host=self.receiver,
            field_index=-1,  # above every field of the message
        )


async def org_context(
    resolver: Resolver,
    org_domain: str | None,
    networks: tuple[Network, ...] = (),
    authserv_ids: tuple[str, ...] = (),
) -> tuple[OrgContext, tuple[str, ...]]:
    """The org as far as DNS tells: its MX hosts name its filtering provider."""
    if org_domain is None:
        return OrgContext(networks=networks, authserv_ids=authserv_ids), ()
    try:
        answer = await resolver.resolve(org_domain, RRType.MX)
    except DnsError as exc:
        org = OrgContext((org_domain,), networks, None, authserv_ids)
        return org, (f"MX of {org_domain}: {exc.reason}",)
    hosts = tuple(
        MxRecord.from_text(r).exchange for r in answer.records if answer.outcome is Outcome.ANSWER
    )
    provider = detect_provider(hosts)
    return OrgContext((org_domain,), networks, provider, authserv_ids, mx_hosts=hosts), ()


async def analyze(
    data: bytes,
    label: str,
    resolver: Resolver,
    org: OrgContext,
    evaluator: EvaluatorFactory = BuiltinAuthEvaluator,
    connection: Connection | None = None,
) -> MessageFacts:
    """Analyse one message (whole, or headers only) against the org context; ``connection``
    when the caller received it over SMTP itself (its envelope replaces Return-Path)."""
    headers = parse_headers(data)
    chain, org = _transport(headers, org, connection)
    entry = entry_of(headers, chain.entry_hop)
    authres = classify(headers.get_all("Authentication-Results")[:100], entry, org)
    identity = read_identity(headers)
    if connection is not None:
        mail_from = connection.mail_from.strip("<> ").lower() or None
        identity = replace(identity, return_path=mail_from, mail_from_domain=_domain(mail_from))
    has_body = headers.body_offset >= 0
    signatures = tuple(f.value for f in headers.get_all("DKIM-Signature"))
    dkim = await verify_message(data, signatures, resolver) if has_body else ()
    auth = evaluator(resolver, receiver_spf_result(authres, chain))
    spf = await _spf(auth, chain, identity)
    dmarc = await auth.dmarc(identity.from_domain, spf, dkim) if identity.from_domain else None
    errors = [
        f"DKIM key {d.selector}._domainkey.{d.domain}: {d.reason}"
        for d in dkim
        if d.result == "temperror"
    ]
    if dmarc is not None and dmarc.result == "temperror":
        errors.append(f"DMARC for {identity.from_domain}: {dmarc.explanation}")
    arc_fields = tuple(
        f.value for f in headers.fields if f.key in ("arc-seal", "arc-message-signature")
    )
    arc = await verify_arc(data, arc_fields, resolver) if has_body and arc_fields else None
    arc = chain_status(arc, bool(arc_fields))
    if arc is not None and arc.result == "temperror":
        errors.append(f"ARC: {arc.reason}")
    return MessageFacts(
        label,
        len(data),
        identity,
        chain,
        authres,
        aggregate(authres),
        read_arc(headers),
        dkim,
        spf,
        dmarc,
        _verdicts(headers, entry, org),
        org,
        headers.defects,
        has_body,
        tuple(errors),
        arc,
    )


def _verdicts(headers: HeaderSection, entry: Entry, org: OrgContext) -> tuple[Verdict, ...]:
    """Decoded verdicts, each with the provenance rule that decided whether it is the
    org's; one that is not (the sender's own filter, or a forgery) is marked outside."""
    out = []
    for verdict in decode_all(headers):
        name = verdict.header.partition(" (")[0]  # "Authentication-Results (compauth)"
        field = _field_of(headers, name, verdict.raw)
        if field is None:  # nothing to place it by: it cannot be shown to be the org's
            out.append(replace(verdict, outside=entry.hop is not None, trust_rule="unplaced"))
            continue
        provenance = verdict_provenance(field.name, field.index, headers, entry, org)
        out.append(replace(verdict, outside=not provenance.ours, trust_rule=provenance.text))
    return tuple(out)


def _field_of(headers: HeaderSection, name: str, raw: str) -> HeaderField | None:
    """The field a verdict was decoded from: by name (the one whose value it holds), else
    the lowest field whose value the verdict's raw text holds (a verdict built from several
    fields is placed by the one most likely to have come from outside)."""
    fields = headers.get_all(name)
    if fields:
        return next((f for f in fields if f.value[: len(raw)] == raw), fields[0])
    holders = [
        f for f in headers.fields if f.key.startswith("x-") and f.value.strip() and f.value in raw
    ]
    return holders[-1] if holders else None


def _transport(
    headers: HeaderSection, org: OrgContext, connection: Connection | None = None
) -> tuple[Chain, OrgContext]:
    """The hop chain; without --org-domain the newest hop's filter is taken as the org's."""
    received = headers.get_all("Received")[:MAX_RECEIVED]
    hops = tuple(parse_received(f.value, f.index) for f in received)
    if connection is not None:
        hops = (connection.hop(), *hops)
    if org.provider is None and not org.domains and hops:
        org = replace(org, provider=infer_provider(hops[0].by_host))
    chain = build_chain(hops, org)
    if connection is not None and chain.entry is None:
        # every hop is inside (a loopback client): the session itself is where it entered
        chain = replace(chain, entry=len(chain.hops) - 1)
    return chain, org


async def _spf(auth: AuthEvaluator, chain: Chain, identity: Identity) -> SpfOutcome:
    entry = chain.entry_hop
    if entry is None or entry.from_ip is None:
        domain = identity.mail_from_domain or ""
        return SpfOutcome("not-evaluated", domain, "", "mailcheck", "no entry hop with an IP")
    mail_from = identity.return_path or ""
    return await auth.spf(entry.from_ip, mail_from, entry.helo or entry.from_host or "")


def read_identity(headers: HeaderSection) -> Identity:
    """From, Return-Path, Subject and Message-ID, tolerant of garbage."""
    froms = headers.get_all("From")
    author = author_of([field.value for field in froms])
    return_path = (headers.first("Return-Path") or "").strip()[:500].strip("<> ").lower() or None
    return Identity(
        author.address or None,
        author.domain or None,
        return_path,
        _domain(return_path),
        (headers.first("Subject") or "")[:300] or None,
        (headers.first("Message-ID") or "")[:300] or None,
        len(froms),
        author.problem,
        author.written,
    )


def _domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rpartition("@")[2].strip().rstrip(".").lower() or None


def receiver_spf_result(authres: tuple[AuthResField, ...], chain: Chain) -> SpfOutcome | None:
    """The SPF result the org's own receiver recorded, as a stand-in for re-evaluation."""
    for item in authres:
        if item.trust is not Trust.TRUSTED:
            continue
        for result in item.parsed.by_method("spf"):
            mail_from = result.get("smtp", "mailfrom") or result.get("smtp", "helo") or ""
            entry = chain.entry_hop
            return SpfOutcome(
                result.result,
                mail_from.rpartition("@")[2].lower(),
                entry.from_ip or "" if entry else "",
                "receiver's Authentication-Results",
                f"recorded by {item.parsed.authserv_id or 'the receiver'}",
            )
    return None
