"""ARC (RFC 8617) header sets: read the chain's structure and each hop's claimed results.

The cryptographic seal check is not done here; the structure (one seal, one message
signature and one ARC-Authentication-Results per instance, consecutive from 1, ``cv=none`` on
the first seal and ``pass`` after) already tells a damaged chain from a plausible one. ARC
results come from outside the organisation: they are shown, never trusted as ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.message.authres import AuthenticationResults, parse_authres
from mailcheck.message.headers import HeaderSection
from mailcheck.protocols.dkim import ArcVerification, parse_tags

MAX_INSTANCES = 50  # RFC 8617 §4.2.1: i= is at most 50


@dataclass(frozen=True)
class ArcSet:
    """One ARC instance: who sealed it and what it claimed."""

    instance: int
    sealer: str | None  # d= of the ARC-Seal
    cv: str | None
    results: AuthenticationResults | None


@dataclass(frozen=True)
class ArcChain:
    """All ARC sets, lowest instance first, with what is structurally wrong."""

    sets: tuple[ArcSet, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        """True when the message carries any ARC field."""
        return bool(self.sets or self.problems)


def read_arc(headers: HeaderSection) -> ArcChain:
    """The ARC chain as the header section states it."""
    seals = _by_instance(headers, "ARC-Seal")
    signatures = _by_instance(headers, "ARC-Message-Signature")
    results = _by_instance(headers, "ARC-Authentication-Results")
    instances = sorted(set(seals) | set(signatures) | set(results))[:MAX_INSTANCES]
    problems = _structure_problems(instances, seals, signatures, results)
    sets = tuple(
        ArcSet(
            i,
            parse_tags(seals[i][0]).get("d") if seals.get(i) else None,
            parse_tags(seals[i][0]).get("cv") if seals.get(i) else None,
            parse_authres(results[i][0], arc=True) if results.get(i) else None,
        )
        for i in instances
    )
    return ArcChain(sets, tuple(problems))


def _by_instance(headers: HeaderSection, name: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for field in headers.get_all(name)[: MAX_INSTANCES * 2]:
        # i= may stand anywhere in a seal or message signature (tag list); first in ARC-A-R
        instance = parse_tags(field.value).get("i", "")
        key = int(instance) if instance.isdigit() and len(instance) <= 3 else 0
        found.setdefault(key, []).append(field.value)
    return found


def _structure_problems(
    instances: list[int],
    seals: dict[int, list[str]],
    signatures: dict[int, list[str]],
    results: dict[int, list[str]],
) -> list[str]:
    problems: list[str] = []
    if 0 in instances:
        problems.append("an ARC field has no readable i= tag")
    if instances and instances != list(range(1, len(instances) + 1)):
        problems.append(f"instances are not consecutive from 1: {instances}")
    for i in (n for n in instances if n):
        for name, table in (
            ("ARC-Seal", seals),
            ("ARC-Message-Signature", signatures),
            ("ARC-Authentication-Results", results),
        ):
            count = len(table.get(i, []))
            if count != 1:
                problems.append(f"i={i} has {count} {name} fields (exactly one expected)")
        cv = parse_tags(seals[i][0]).get("cv", "").lower() if seals.get(i) else ""
        expected = "none" if i == 1 else "pass"
        if seals.get(i) and cv != expected:
            problems.append(f"i={i} ARC-Seal has cv={cv or 'missing'} (expected {expected})")
    return problems


def chain_status(verification: ArcVerification | None, has_arc: bool) -> ArcVerification | None:
    """The chain validation status of RFC 8617 §5.2: ``none`` only when the message carries
    no ARC set; with sets present a chain that does not validate is ``fail`` (dkimpy returns
    no status at all when a seal says cv=fail or a later seal fails)."""
    if verification is None or not has_arc or verification.result not in ("none", ""):
        return verification
    reason = verification.reason or "the ARC chain did not validate"
    return ArcVerification("fail", f"{reason} (ARC sets present: RFC 8617 §5.2 makes it fail)")
