"""Per-message analysis for the sink: DKIM, profile sender and source network, SPF, DMARC.

DKIM keys are fetched through mailcheck's own ``Resolver`` (so tests use the loopback DNS
server and reports can be replayed), then dkimpy verifies with those answers in a worker
thread; dkimpy never touches the network. SPF and DMARC use the same resolver; the
evaluators in ``mailcheck/spf`` and ``mailcheck/dmarc`` are reached through ``auth``.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dkim

from mailcheck.dmarc.author import Author, author_of
from mailcheck.dns.interface import Outcome, Resolver, RRType
from mailcheck.errors import DnsError
from mailcheck.message.headers import parse_headers
from mailcheck.profiles import SenderProfile
from mailcheck.smtp.auth import dmarc_result, spf_result
from mailcheck.smtp.store import Envelope, Stored, read_stored

MAX_ANALYSED = 10 * 2**20  # dkimpy needs the whole message in memory; bigger ones are skipped
MAX_SIGNATURES = 5  # each signature costs a DNS lookup and an RSA verify; mail has 1-3


class MessageAnalyzer:
    """Analyses one stored message; an ``Analyzer`` for ``SinkHandler``."""

    def __init__(
        self,
        resolvers: Callable[[], Resolver],
        profile: SenderProfile | None = None,
    ) -> None:
        # A fresh resolver per message: a sink runs for days, and a per-run cache would
        # keep answering with keys that have since been rotated.
        self.resolvers = resolvers
        self.profile = profile

    async def __call__(self, path: Path, stored: Stored) -> dict[str, Any]:
        """Everything we know about the message, JSON-compatible."""
        if stored.size > MAX_ANALYSED:
            return {"skipped": f"larger than {MAX_ANALYSED} octets"}
        # One thread trip: reading the file, and the From parse (slow on hostile junk).
        envelope, message, author = await asyncio.to_thread(_read_with_author, path)
        header_from = author.address
        resolver = self.resolvers()
        dkim_results = await verify_dkim(message, resolver)
        spf = await spf_result(resolver, envelope.client_ip, envelope.mail_from, envelope.helo)
        result: dict[str, Any] = {
            "header_from": header_from,
            "dkim": dkim_results,
            "spf": spf,
            "dmarc": await dmarc_result(resolver, author, spf, dkim_results),
        }
        if self.profile is not None:
            result["profile"] = match_profile(
                self.profile, envelope.client_ip, envelope.mail_from, header_from
            )
        return result


def _read_with_author(path: Path) -> tuple[Envelope, bytes, Author]:
    """The stored message, and its From field's author (address and Author Domain, or why
    DMARC has none)."""
    envelope, message = read_stored(path)
    froms = parse_headers(message).get_all("From")
    return envelope, message, author_of([field.value for field in froms])


def match_profile(
    profile: SenderProfile, client_ip: str, mail_from: str, header_from: str
) -> dict[str, Any]:
    """Which profile sender and which profile network the message matches."""
    envelope_sender = profile.match_address(mail_from) if mail_from else None
    from_sender = profile.match_address(header_from) if header_from else None
    network = None
    try:
        ip = ipaddress.ip_address(client_ip)
        network = next(
            (n for n in profile.networks if n.network.version == ip.version and ip in n.network),
            None,
        )
    except ValueError:
        pass
    return {
        "id": profile.id,
        "from_sender": from_sender.address if from_sender else None,
        "envelope_sender": envelope_sender.address if envelope_sender else None,
        "envelope_domain_listed": mail_from.rpartition("@")[2].lower() in profile.envelope_domains,
        "network": str(network.network) if network else None,
        "network_documented": bool(network and network.documented),
        "network_label": network.label if network else "",
    }


async def verify_dkim(message: bytes, resolver: Resolver) -> list[dict[str, Any]]:
    """Verify each DKIM-Signature (up to ``MAX_SIGNATURES``), keys fetched via ``resolver``."""
    checker = dkim.DKIM(message)
    results = []
    for idx in range(MAX_SIGNATURES):
        try:
            prep = checker.verify_headerprep(idx)
        except dkim.DKIMException as exc:
            results.append(_result("", "", "permerror", f"bad signature: {exc}"))
            continue
        if not prep:
            break
        sig = prep[0]
        results.append(await _verify_one(message, idx, sig, resolver))
    return results


async def _verify_one(
    message: bytes, idx: int, sig: dict[bytes, bytes], resolver: Resolver
) -> dict[str, Any]:
    domain = sig[b"d"].decode("ascii", "replace").lower()
    selector = sig[b"s"].decode("ascii", "replace").lower()
    name = f"{selector}._domainkey.{domain}"
    try:
        answer = await resolver.resolve(name, RRType.TXT)
    except DnsError as exc:
        return _result(domain, selector, "temperror", f"key lookup failed: {exc.reason}")
    keys = [r for r in answer.records if "p=" in r] if answer.outcome is Outcome.ANSWER else []
    if not keys:
        return _result(domain, selector, "permerror", f"no DKIM key at {name}")
    key = keys[0].encode()

    def lookup(_name: bytes, timeout: float = 5) -> bytes:
        return key

    def run() -> bool:
        return bool(dkim.DKIM(message).verify(idx, dnsfunc=lookup))

    try:
        ok = await asyncio.to_thread(run)
    except dkim.ValidationError as exc:  # e.g. body hash mismatch: the message was altered
        return _result(domain, selector, "fail", str(exc))
    except dkim.DKIMException as exc:
        return _result(domain, selector, "permerror", str(exc))
    return _result(domain, selector, "pass" if ok else "fail", "" if ok else "signature mismatch")


def _result(domain: str, selector: str, result: str, detail: str) -> dict[str, Any]:
    return {"domain": domain, "selector": selector, "result": result, "detail": detail}
