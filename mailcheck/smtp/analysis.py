"""Per-message analysis for the sink: the ``analyze`` core of ``mailcheck.message``, fed with
what the sink saw on the wire (client IP, HELO, MAIL FROM), reduced to one stored result.

Nothing here decides DKIM, SPF, DMARC or the profile match: ``message.analyze`` gathers,
``message.evaluate`` judges, and ``SinkAnalysis`` keeps what lists, pages and the terminal
line show. It is stored as JSON (``to_json``) in the sink index; ``report.sink`` renders it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailcheck.base.model import Finding, Status
from mailcheck.dns.interface import Resolver
from mailcheck.facts.jsonable import jsonable
from mailcheck.message import Connection, OrgContext, analyze, evaluate
from mailcheck.message.auth import DmarcOutcome, SpfOutcome
from mailcheck.message.facts import Identity
from mailcheck.message.judgement import ProfileMatch, match_profile
from mailcheck.protocols.dkim import DkimResult
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.smtp.store import Envelope, read_stored

log = logging.getLogger(__name__)

SCHEMA = 2  # 1: the sink's own engine (before the one core); rows of it read as "old"
MAX_ANALYSED = 10 * 2**20  # dkimpy needs the whole message in memory; bigger ones are skipped
TIMEOUT = 60.0  # seconds for one message, DNS waits included


@dataclass(frozen=True)
class SinkAnalysis:
    """What the one analysis core concluded about one received message."""

    identity: Identity
    dkim: tuple[DkimResult, ...]
    spf: SpfOutcome
    dmarc: DmarcOutcome | None
    findings: tuple[Finding, ...]  # MSG001 (the one-sentence verdict) first
    profile_id: str | None = None
    match: ProfileMatch | None = None

    @property
    def authenticated(self) -> bool:
        """DMARC passed: the From domain is proven."""
        return self.dmarc is not None and self.dmarc.result == "pass"

    @property
    def suspicious(self) -> bool:
        """What ``analyze`` flags as failing: DMARC fail (a possible forgery) or any finding
        that fails (e.g. a From field that names no Author Domain)."""
        failed_dmarc = self.dmarc is not None and self.dmarc.result == "fail"
        return failed_dmarc or any(f.status is Status.FAIL for f in self.findings)

    def sender(self) -> str:
        """The From address against the profile: yes only when DMARC proves it."""
        if self.match is None or self.match.from_sender is None:
            return "no"
        if self.authenticated:
            return "yes"
        return "forged" if self.dmarc is not None and self.dmarc.result == "fail" else "unproven"

    def to_json(self) -> dict[str, Any]:
        """The stored form (one schema for list, show, report and the terminal line)."""
        profile = None
        if self.match is not None:
            net = self.match.entry_network
            profile = {
                "id": self.profile_id,
                "from_sender": self.match.from_sender,
                "sender": self.sender(),
                "return_path_ok": self.match.return_path_ok,
                "network": str(net.network) if net else None,
                "network_documented": bool(net and net.documented),
                "network_label": net.label if net else "",
                "dkim_domains": list(self.match.dkim_domains),
            }
        findings = [
            {"code": f.code, "status": f.status.value, "summary": f.summary}
            for f in self.findings[:50]
        ]
        return {
            "schema": SCHEMA,
            "from": self.identity.from_address,
            "subject": self.identity.subject,
            "dkim": jsonable(self.dkim),
            "spf": jsonable(self.spf),
            "dmarc": jsonable(self.dmarc),
            "profile": profile,
            "findings": findings,
            "authenticated": self.authenticated,
            "suspicious": self.suspicious,
        }


async def analyse(
    message: bytes, envelope: Envelope, resolver: Resolver, profile: SenderProfile | None
) -> SinkAnalysis:
    """Run the one analysis core on a message the sink received over ``envelope``."""
    connection = Connection(envelope.client_ip, envelope.helo, envelope.mail_from)
    facts = await analyze(message, "sink", resolver, OrgContext(), connection=connection)
    match = match_profile(facts, profile) if profile is not None else None
    return SinkAnalysis(
        facts.identity,
        facts.dkim,
        facts.spf,
        facts.dmarc,
        evaluate(facts, profile),
        profile.id if profile is not None else None,
        match,
    )


async def analyse_file(
    path: Path, resolver: Resolver, profile: SenderProfile | None
) -> dict[str, Any]:
    """The stored result for one Maildir file (or why it was not analysed)."""
    if path.stat().st_size > MAX_ANALYSED:
        return {"schema": SCHEMA, "skipped": f"larger than {MAX_ANALYSED} octets"}
    envelope, message = read_stored(path)
    return (await analyse(message, envelope, resolver, profile)).to_json()


async def analyse_one(
    path: Path, resolver: Resolver, profile: SenderProfile | None, timeout: float = TIMEOUT
) -> dict[str, Any]:
    """``analyse_file``, bounded in time, with any failure recorded as the result (the message
    is stored already; one bad message must not cost its batch its results)."""
    try:
        return await asyncio.wait_for(analyse_file(path, resolver, profile), timeout)
    except Exception as exc:
        # the type only: the text may quote the message, and a worker's log is not escaped
        log.warning("analysis of %s failed: %s", path.name, type(exc).__name__)
        return {"schema": SCHEMA, "error": f"analysis failed: {type(exc).__name__}"}
