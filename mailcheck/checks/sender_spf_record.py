"""Facts and findings about a sender's SPF record itself: limits, ignored terms, size, duplicates.

Gathered from the static expansion (``spf.expand``) walked the way ``check_host()`` walks it
(``spf.reach``); the findings are pure. RFC 7208 clauses are named in every finding, because a
sender's postmaster reads them.
"""

from __future__ import annotations

from mailcheck.base.errors import SpfSyntaxError
from mailcheck.base.model import Finding, Status
from mailcheck.dns.interface import Resolver
from mailcheck.facts.sender_spf import RecordShape, Unreached
from mailcheck.protocols.spf.expand import ExpandedRecord, expand_text
from mailcheck.protocols.spf.lookups import MAX_DNS_LOOKUPS
from mailcheck.protocols.spf.merge import merge_records
from mailcheck.protocols.spf.reach import MAPPED, Reach, is_mapped, reach
from mailcheck.protocols.spf.record import Network
from mailcheck.rulefiles.values import unmap_network

MAX_OCTETS = 450  # §3.4: a longer answer may not fit a UDP reply and needs TCP
MAX_SHOWN = 30


async def gather_shape(resolver: Resolver, expanded: ExpandedRecord) -> RecordShape:
    """The record's shape facts, pricing a merged record when there are several."""
    walks = (reach(expanded, 4), reach(expanded, 6))
    first = next((w for w in walks if w.cut), walks[0])
    merged, merged_lookups, notes = await _merge(resolver, expanded)
    return RecordShape(
        first.lookups,
        first.void_lookups,
        first.counted,
        first.cut if not first.temporary else "",
        first.reason if not first.temporary else "",
        first.at_least,
        _unreached(walks),
        tuple(_ignored(expanded)),
        tuple(_long(expanded)),
        expanded.candidates,
        merged,
        merged_lookups,
        notes,
        flattened(expanded) if first.cut else "",
    )


def reachable(expanded: ExpandedRecord) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(network, via)`` for every network some client really gets ``pass`` from, once each."""
    seen: dict[str, tuple[str, ...]] = {}
    for walk in (reach(expanded, 4), reach(expanded, 6)):
        for item in walk.reachable:
            seen.setdefault(str(item.network), item.via)
    return tuple(seen.items())


def _unreached(walks: tuple[Reach, Reach]) -> tuple[Unreached, ...]:
    found: dict[str, Unreached] = {}
    for walk in walks:
        for item in walk.unreachable:
            # a mapped range is named by the IPv4 range it meant: no mapped form leaves here
            text = str(unmap_network(item.network.network))
            found.setdefault(text, Unreached(text, item.network.via, item.reason))
    return tuple(found.values())


def _ignored(record: ExpandedRecord) -> list[str]:
    out = [f"{record.domain}: {record.ignored_redirect}"] if record.ignored_redirect else []
    for term in record.terms:
        if term.child is not None:
            out += _ignored(term.child)
    return out


def _long(record: ExpandedRecord) -> list[tuple[str, int, str]]:
    size = len(record.record.encode())
    out = []
    if size > MAX_OCTETS and not record.candidates:
        split = " + ".join(str(len(s.encode())) for s in record.strings) or str(size)
        out.append((record.domain, size, f"TXT strings: {split} octets (RFC 7208 §3.3)"))
    for term in record.terms:
        if term.child is not None:
            out += _long(term.child)
    return out


async def _merge(resolver: Resolver, expanded: ExpandedRecord) -> tuple[str, int, tuple[str, ...]]:
    if not expanded.candidates:
        return "", 0, ()
    merged = merge_records(expanded.candidates)
    if not merged.text:
        return "", 0, merged.notes
    try:
        priced = await expand_text(resolver, expanded.domain, merged.text)
    except SpfSyntaxError as exc:  # the merge of valid records is valid; defensive only
        return "", 0, (*merged.notes, str(exc))
    return merged.text, reach(priced, 4).lookups, merged.notes


def shape_findings(domain: str, shape: RecordShape) -> list[Finding]:
    """Findings about the record itself (see module docstring); ``domain`` is the A-label."""
    findings = _limit(domain, shape)
    for where in shape.ignored_redirects:
        summary = (
            f"The SPF of {domain} has a redirect= that is ignored because the record also has "
            "an all term (RFC 7208 §6.1): a configuration error"
        )
        findings.append(Finding("SPF013", Status.WARN, summary, subject=domain, evidence=(where,)))
    for name, octets, split in shape.long_records:
        summary = (
            f"The SPF record of {name} is {octets} octets, over {MAX_OCTETS} (RFC 7208 §3.4): "
            "the answer may not fit in UDP, and receivers without TCP fallback see no record"
        )
        findings.append(Finding("SPF014", Status.WARN, summary, subject=domain, evidence=(split,)))
    if shape.candidates:
        findings.append(_several(domain, shape))
    mapped = tuple(
        f"{u.network}, written as an IPv4-mapped IPv6 range, via {' -> '.join(u.via)}"
        for u in _mapped(shape, True)
    )
    if mapped:
        summary = (
            f"The SPF of {domain} names IPv4-mapped IPv6 ranges: they never match, because "
            "receivers treat such clients as IPv4 (RFC 7208 §5)"
        )
        findings.append(Finding("SPF016", Status.WARN, summary, subject=domain, evidence=mapped))
    return findings


def _mapped(shape: RecordShape, wanted: bool) -> tuple[Unreached, ...]:
    """The unreachable networks that are (or are not) IPv4-mapped IPv6 ranges."""
    return tuple(u for u in shape.unreachable if (u.reason == MAPPED) is wanted)


def _limit(domain: str, shape: RecordShape) -> list[Finding]:
    if not shape.cut:
        return []
    count = f"{'at least ' if shape.at_least else ''}{shape.lookups} DNS-querying terms"
    summary = (
        f"The SPF of {domain} fails (permerror) at {shape.cut} for every client not matched "
        f"before it: {shape.cut_reason}; {count} in all, void lookups {shape.void_lookups}"
    )
    evidence = [f"counted: {n}. {term}" for n, term in enumerate(shape.counted, 1)]
    evidence += [
        f"{u.network} via {' -> '.join(u.via)}: {u.reason}"
        for u in _mapped(shape, False)[:MAX_SHOWN]
    ]
    return [Finding("SPF012", Status.FAIL, summary, subject=domain, evidence=tuple(evidence))]


def _several(domain: str, shape: RecordShape) -> Finding:
    evidence = [f"published: {text}" for text in shape.candidates]
    if shape.merged:
        over = shape.merged_lookups > MAX_DNS_LOOKUPS
        evidence.append(f"merged: {shape.merged}")
        evidence.append(
            f"the merged record makes {shape.merged_lookups} DNS-querying terms"
            + (f": more than {MAX_DNS_LOOKUPS}, so it would fail too" if over else "")
        )
    evidence += list(shape.merge_notes)
    summary = (
        f"{domain} publishes {len(shape.candidates)} v=spf1 records: a permerror for every "
        "client (RFC 7208 §4.5); publish one record instead"
    )
    return Finding("SPF015", Status.FAIL, summary, subject=domain, evidence=tuple(evidence))


def flattened(expanded: ExpandedRecord) -> str:
    """The record with every include/redirect replaced by the ip4:/ip6: terms it authorises.

    "" when that would change a result: a non-pass term other than all, a term that depends
    on the message, or a broken record anywhere in the tree.
    """
    terms: list[str] = []
    endings: list[str] = []
    if not _flatten(expanded, terms, endings, top=True):
        return ""
    ending = endings[0] if endings else ""
    tail = [f"{'' if ending == '+' else ending}all"] if ending else []
    return " ".join(("v=spf1", *dict.fromkeys(terms), *tail))


def _flatten(record: ExpandedRecord, terms: list[str], endings: list[str], top: bool) -> bool:
    if record.error:
        return False
    for term in record.terms:
        if term.is_all:
            if top:
                endings.append(term.qualifier.value)
            continue
        if term.unexpandable or term.qualifier.value != "+":
            return False
        terms += [_ip_term(n) for n in term.networks if not is_mapped(n)]
        child = term.child
        if child is not None and not _flatten(child, terms, endings, top and term.is_redirect):
            return False
    return True


def _ip_term(network: Network) -> str:
    text = (
        str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)
    )
    return f"ip{network.version}:{text}"
