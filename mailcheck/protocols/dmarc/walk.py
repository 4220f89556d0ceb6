"""The RFC 9989 DNS Tree Walk (§4.10), policy discovery and the Organizational Domain.

No Public Suffix List: the Organizational Domain comes from DMARC records found while
walking up the tree, at most ``MAX_QUERIES`` queries per walk. A lookup that fails makes the
result undecided ("could not decide"), never "no policy".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mailcheck.base.errors import DnsError
from mailcheck.dns.interface import Outcome, Resolver, RRType, normalize_name
from mailcheck.protocols.dmarc.record import DmarcRecord, InvalidRecord, PsdFlag, parse_record

MAX_QUERIES = 8  # RFC 9989 §4.10: names of 8+ labels are shortened to 7 after the first query
_SHORTEN_TO = 7


class StepState(StrEnum):
    """What one ``_dmarc.<domain>`` query found."""

    RECORD = "record"  # exactly one valid DMARC record
    NONE = "none"  # no record that starts with v=DMARC1
    MULTIPLE = "multiple"  # more than one: all discarded (§4.10 step 2)
    INVALID = "invalid"  # one v=DMARC1 record that is not valid as a whole
    ERROR = "error"  # the lookup could not complete


@dataclass(frozen=True)
class WalkStep:
    """One query of the walk and its outcome; ``texts`` are the raw TXT strings."""

    domain: str
    state: StepState
    texts: tuple[str, ...] = ()
    record: DmarcRecord | None = None
    reason: str = ""  # why INVALID, or the DNS error text

    @property
    def psd(self) -> PsdFlag:
        """The psd flag of the record here (UNSET without a record)."""
        return self.record.psd if self.record else PsdFlag.UNSET


@dataclass(frozen=True)
class TreeWalk:
    """A finished walk from ``start``; ``steps`` are in query order (longest name first)."""

    start: str
    steps: tuple[WalkStep, ...]

    @property
    def error(self) -> str:
        """The DNS error that stopped the walk, or ""."""
        return next((s.reason for s in self.steps if s.state is StepState.ERROR), "")

    @property
    def found(self) -> tuple[WalkStep, ...]:
        """Steps with a valid record, longest name first."""
        return tuple(s for s in self.steps if s.state is StepState.RECORD)


def walk_targets(domain: str) -> tuple[str, ...]:
    """The names a full walk queries (without ``_dmarc.``), per RFC 9989 §4.10 steps 3-7."""
    labels = [label for label in normalize_name(domain).split(".") if label]
    if not labels:
        return ()
    targets = [".".join(labels)]
    rest = labels[-_SHORTEN_TO:] if len(labels) > _SHORTEN_TO else labels[1:]
    while rest:
        targets.append(".".join(rest))
        rest = rest[1:]
    return tuple(targets)


async def tree_walk(resolver: Resolver, domain: str) -> TreeWalk:
    """Walk from ``domain`` up; stop at psd=y/n, at a DNS error, or after the last label."""
    steps: list[WalkStep] = []
    for target in walk_targets(domain)[:MAX_QUERIES]:
        step = await query_step(resolver, target)
        steps.append(step)
        if step.state is StepState.ERROR or step.psd in (PsdFlag.YES, PsdFlag.NO):
            break
    return TreeWalk(normalize_name(domain), tuple(steps))


async def query_step(resolver: Resolver, domain: str) -> WalkStep:
    """Query ``_dmarc.<domain>`` TXT and select the one DMARC record there, if any."""
    try:
        answer = await resolver.resolve(f"_dmarc.{domain}", RRType.TXT)
    except DnsError as exc:
        return WalkStep(domain, StepState.ERROR, reason=str(exc))
    texts = answer.records if answer.outcome is Outcome.ANSWER else ()
    return select_record(domain, texts)


def select_record(domain: str, texts: tuple[str, ...]) -> WalkStep:
    """RFC 9989 §4.10 step 2: drop non-DMARC strings; more than one DMARC record -> none."""
    parsed = [parse_record(text) for text in texts]
    dmarc = [p for p in parsed if not (isinstance(p, InvalidRecord) and not p.is_dmarc)]
    if not dmarc:
        return WalkStep(domain, StepState.NONE, texts)
    if len(dmarc) > 1:
        return WalkStep(domain, StepState.MULTIPLE, texts, reason="more than one DMARC record")
    only = dmarc[0]
    if isinstance(only, InvalidRecord):
        return WalkStep(domain, StepState.INVALID, texts, reason=only.reason)
    return WalkStep(domain, StepState.RECORD, texts, record=only)


def organizational_domain(walk: TreeWalk) -> str | None:
    """RFC 9989 §4.10.2 selection; None when a DNS error leaves it undecided."""
    if walk.error:
        return None
    found = walk.found
    for step in found:  # longest to shortest
        if step.psd is PsdFlag.NO:
            return step.domain
        if step.psd is PsdFlag.YES and step.domain != walk.start:
            return _one_label_below(walk.start, step.domain)
    if found:
        return min(found, key=lambda s: s.domain.count(".")).domain
    return walk.start


def _one_label_below(start: str, ancestor: str) -> str:
    labels = start.split(".")
    depth = ancestor.count(".") + 1
    return ".".join(labels[-(depth + 1) :])
