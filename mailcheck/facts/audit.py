"""Facts of the ``audit`` section: which allowlist files were read, in which format, against
which profile, and the least-privilege replacement mailcheck offers for them."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class AuditedFile:
    """One allowlist file and the format it was read as (an ``AuditFormat`` value)."""

    file: str
    format: str


@dataclass(frozen=True)
class AuditFacts(Facts):
    """The files audited against ``profile``, and the replacement allowlist text."""

    profile: str
    files: tuple[AuditedFile, ...]
    replacement: str = ""
