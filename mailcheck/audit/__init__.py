"""Audit an allowlist the admin already has against a sender profile (``mailcheck audit``).

One reader per format (``AuditFormat`` picks one), one pure ``classify`` per entry, and the
shared-infrastructure question answered from each service's live SPF through the run's resolver.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from mailcheck.audit.base import read_text
from mailcheck.audit.classify import classify
from mailcheck.audit.exim import EximReader
from mailcheck.audit.interface import AllowlistEntry, AllowlistReader, EntryKind, Unreadable
from mailcheck.audit.microsoft365 import Microsoft365Reader
from mailcheck.audit.postfix import PostfixReader
from mailcheck.audit.result import AuditResult
from mailcheck.audit.rspamd import RspamdReader
from mailcheck.audit.spamassassin import SpamAssassinReader
from mailcheck.base.errors import AllowlistError
from mailcheck.checks.shared_infra import owners_of
from mailcheck.dns.interface import Resolver
from mailcheck.rulefiles.profiles import SenderProfile

MAX_ENTRIES = 20_000  # each network is checked against every service's SPF: bound the work


class AuditFormat(StrEnum):
    """The allowlist formats ``mailcheck audit --filter`` reads."""

    POSTFIX = "postfix"
    SPAMASSASSIN = "spamassassin"
    RSPAMD = "rspamd"
    EXIM = "exim"
    MICROSOFT365 = "microsoft365"

    def reader(self) -> AllowlistReader:
        """The reader for this format."""
        match self:
            case AuditFormat.POSTFIX:
                return PostfixReader()
            case AuditFormat.SPAMASSASSIN:
                return SpamAssassinReader()
            case AuditFormat.RSPAMD:
                return RspamdReader()
            case AuditFormat.EXIM:
                return EximReader()
            case AuditFormat.MICROSOFT365:
                return Microsoft365Reader()


def guess_format(path: Path, text: str) -> AuditFormat:
    """The format of a file not named with ``--filter``, from its name and content."""
    lowered = text.lower()
    head = "\n".join(lowered.splitlines()[:2])
    if path.suffix.lower() == ".csv" or '"value"' in head:
        return AuditFormat.MICROSOFT365
    if any(word in lowered for word in ("addresslist ", "domainlist ", "hostlist ")):
        return AuditFormat.EXIM
    if "list_from" in lowered or "list_auth" in lowered:
        return AuditFormat.SPAMASSASSIN
    if "multimap" in lowered or ("type =" in lowered and "{" in text):
        return AuditFormat.RSPAMD
    if any(word in lowered.split() for word in ("ok", "permit", "relay")):
        return AuditFormat.POSTFIX
    raise AllowlistError(f"{path}: cannot tell the allowlist format", field="filter")


async def audit(
    paths: tuple[Path, ...],
    profile: SenderProfile,
    resolver: Resolver,
    kind: AuditFormat | None = None,
) -> AuditResult:
    """Read every file, ask the services' live SPF about every network, judge every entry."""
    entries: list[AllowlistEntry] = []
    unreadable: list[Unreadable] = []
    files: list[tuple[str, str]] = []
    for path in paths:
        text = read_text(path)
        chosen = kind or guess_format(path, text)
        result = chosen.reader().read(str(path), text)
        entries += result.entries
        unreadable += result.unreadable
        files.append((str(path), chosen.value))
    if len(entries) > MAX_ENTRIES:
        raise AllowlistError(
            f"{len(entries)} allow entries in {', '.join(str(p) for p in paths)}: more than "
            f"{MAX_ENTRIES}; audit the files one at a time or split them"
        )
    networks = tuple(dict.fromkeys(e.value for e in entries if e.kind is EntryKind.NETWORK))
    owners = {o.network: o.services for o in await owners_of(networks, resolver)}
    findings = tuple(classify(e, profile, owners.get(e.value, ())) for e in entries)
    return AuditResult(profile.id, tuple(files), findings, tuple(unreadable))


__all__ = ["AuditFormat", "AuditResult", "audit", "guess_format"]
