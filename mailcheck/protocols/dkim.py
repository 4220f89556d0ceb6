"""DKIM re-verification (RFC 6376, RFC 8301, RFC 8463) on top of dkimpy and our resolver.

No cryptography is written here: dkimpy checks the signatures. Keys come through mailcheck's
``Resolver`` (so snapshots, the loopback test server and query counting all apply): each key
is looked up first, then handed to dkimpy through a ``dnsfunc`` that answers only from what
was fetched. That also tells a DNS failure (temperror) from a missing or broken key
(permerror), which dkimpy's own boolean result cannot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import dkim

from mailcheck.base.errors import DnsError
from mailcheck.dns.interface import Outcome, Resolver, RRType

MAX_SIGNATURES = 10  # more signatures than this are not verified (each costs a lookup)
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
# dkimpy's header parser is quadratic in physical header lines (500,000 folded lines: 28 s);
# real header sections have a few hundred lines and well under 1 MiB.
MAX_HEADER_LINES = 10_000
MAX_HEADER_BYTES = 1024 * 1024
MAX_ARC_KEYS = 20  # ARC fields whose keys are fetched (two per set; long chains are cut)
# dkimpy logs key and signature problems as errors; mailcheck reports them as results instead
_QUIET = logging.getLogger("mailcheck.protocols.dkim.dkimpy")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
_TAG = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([^;]*)")
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_\-]{0,61}[A-Za-z0-9])?$")


@dataclass(frozen=True)
class DkimResult:
    """One DKIM-Signature's outcome with the RFC 8601 result names."""

    index: int  # counted from the top, 0-based
    result: str  # pass | fail | permerror | temperror
    domain: str = ""  # d=
    selector: str = ""  # s=
    algorithm: str = ""  # a=
    reason: str = ""
    key_bits: int | None = None


def parse_tags(value: str) -> dict[str, str]:
    """``tag=value; ...`` lists (RFC 6376 §3.2, also ARC): first occurrence wins, names
    lower-cased, folding white space removed from values."""
    tags: dict[str, str] = {}
    for part in value[:20000].split(";")[:100]:
        found = _TAG.match(part)
        if found:
            tags.setdefault(found.group(1).lower(), re.sub(r"\s+", "", found.group(2)))
    return tags


async def verify_message(
    message: bytes, signatures: tuple[str, ...], resolver: Resolver
) -> tuple[DkimResult, ...]:
    """Verify the message's DKIM-Signature values (top first, up to ``MAX_SIGNATURES``)."""
    signatures = signatures[:MAX_SIGNATURES]
    if not signatures:
        return ()
    problem = too_big(message)
    if problem:
        return tuple(DkimResult(i, "permerror", reason=problem) for i in range(len(signatures)))
    data = to_crlf(message)
    return tuple([await verify_one(data, i, v, resolver) for i, v in enumerate(signatures)])


def too_big(message: bytes) -> str:
    """Why dkimpy must not see this message (too long, or a header section too large for
    its parser), or ""."""
    if len(message) > MAX_MESSAGE_BYTES:
        return f"message larger than {MAX_MESSAGE_BYTES} bytes"
    end = message.find(b"\n\n", 0, MAX_HEADER_BYTES + 2)
    crlf = message.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES + 4)
    ends = [e for e in (end, crlf) if e >= 0]
    head = message[: min(ends)] if ends else message[: MAX_HEADER_BYTES + 1]
    if len(head) > MAX_HEADER_BYTES:
        return f"header section larger than {MAX_HEADER_BYTES} bytes: not verified"
    lines = head.count(b"\n") + 1
    if lines > MAX_HEADER_LINES:
        return f"header section of {lines} lines (limit {MAX_HEADER_LINES}): not verified"
    return ""


def to_crlf(message: bytes) -> bytes:
    """Messages saved on Unix have bare LF; DKIM is computed over CRLF (RFC 5322 §2.1)."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", message)


async def verify_one(message: bytes, index: int, value: str, resolver: Resolver) -> DkimResult:
    """Verify the ``index``-th DKIM-Signature of a CRLF message."""
    tags = parse_tags(value)
    domain, selector = tags.get("d", "").lower(), tags.get("s", "").lower()
    base = DkimResult(index, "permerror", domain, selector, tags.get("a", ""))
    name = f"{selector}._domainkey.{domain}"
    if base.algorithm.lower() == "rsa-sha1":
        return _with(base, "permerror", "rsa-sha1 must not be accepted (RFC 8301 §3.1)")
    if not _is_dns_name(name):
        return _with(base, "permerror", f"d=/s= do not form a DNS name: {name[:100]!r}")
    try:
        answer = await resolver.resolve(name, RRType.TXT)
    except DnsError as exc:
        return _with(base, "temperror", f"key lookup failed: {exc.reason}")
    if answer.outcome is not Outcome.ANSWER or not answer.records:
        return _with(base, "permerror", f"no key record at {name} ({answer.outcome.value})")
    record = answer.records[0]
    try:
        _pk, bits, _k, _tlsrpt = dkim.evaluate_pk(name.encode(), record.encode())
    except (dkim.DKIMException, ValueError, TypeError) as exc:
        return _with(base, "permerror", f"unusable key record: {exc}")
    return _with(base, *_run_dkimpy(message, index, _serve(record)), bits)


def _run_dkimpy(
    message: bytes, index: int, dnsfunc: Callable[..., bytes | None]
) -> tuple[str, str]:
    try:
        verifier = dkim.DKIM(message, logger=_QUIET, minkey=1024)
        ok = verifier.verify(idx=index, dnsfunc=dnsfunc)
    except dkim.ValidationError as exc:
        if "body hash mismatch" in str(exc):
            return "fail", "body hash mismatch: the body was changed after signing"
        return "permerror", f"invalid signature: {exc}"
    except (dkim.DKIMException, ValueError, TypeError, IndexError, KeyError) as exc:
        return "permerror", f"cannot verify: {type(exc).__name__}: {exc}"
    if ok:
        return "pass", "signature verified"
    return "fail", "signature does not match the signed header fields"


def _serve(record: str) -> Callable[..., bytes | None]:
    """A dkimpy ``dnsfunc`` that answers from the record already fetched."""

    def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
        return record.encode("utf-8")

    return dnsfunc


def _is_dns_name(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 3 and all(_LABEL.match(x) for x in labels)


def _with(base: DkimResult, result: str, reason: str, bits: int | None = None) -> DkimResult:
    return DkimResult(
        base.index, result, base.domain, base.selector, base.algorithm, reason[:300], bits
    )


@dataclass(frozen=True)
class ArcVerification:
    """The ARC chain validation status (RFC 8617 §5.2) as dkimpy computes it."""

    result: str  # pass | fail | none | temperror
    reason: str = ""


async def verify_arc(
    message: bytes, arc_fields: tuple[str, ...], resolver: Resolver
) -> ArcVerification:
    """Validate the ARC chain: every ARC-Seal and ARC-Message-Signature key is fetched through
    the resolver first (a failed lookup is temperror), then dkimpy checks the seals."""
    if not arc_fields:
        return ArcVerification("none", "no ARC sets")
    problem = too_big(message)
    if problem:
        return ArcVerification("fail", problem)
    records: dict[str, str] = {}
    for value in arc_fields[:MAX_ARC_KEYS]:
        tags = parse_tags(value)
        name = f"{tags.get('s', '').lower()}._domainkey.{tags.get('d', '').lower()}"
        if name in records or not _is_dns_name(name):
            continue
        try:
            answer = await resolver.resolve(name, RRType.TXT)
        except DnsError as exc:
            return ArcVerification("temperror", f"key lookup failed: {exc.reason}")
        if answer.outcome is Outcome.ANSWER and answer.records:
            records[name] = answer.records[0]
    return _run_arc(to_crlf(message), records)


def _run_arc(message: bytes, records: dict[str, str]) -> ArcVerification:
    def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
        record = records.get(name.decode("ascii", "replace").rstrip(".").lower())
        return record.encode("utf-8") if record is not None else None

    try:
        cv, _results, reason = dkim.arc_verify(message, logger=_QUIET, dnsfunc=dnsfunc, minkey=1024)
    except (dkim.DKIMException, ValueError, TypeError, IndexError, KeyError) as exc:
        return ArcVerification("fail", f"cannot verify: {type(exc).__name__}: {exc}")
    result = cv.decode("ascii", "replace").lower() if isinstance(cv, bytes) else str(cv).lower()
    return ArcVerification(result, str(reason)[:300])
