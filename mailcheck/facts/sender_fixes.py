"""What the sender's postmaster should change: one fix per problem, carried in the sender-spf
and sender-dmarc facts (``sender_fixes``) for the report's "tell the sender" section."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SenderFix:
    """One change for the sender's postmaster."""

    code: str  # the finding it fixes
    domain: str  # the sender domain concerned (A-label)
    problem: str
    clause: str  # the RFC clause that makes it a problem
    action: str  # what to do, imperative
    name: str = ""  # the DNS name to publish at ("" when no record can be written)
    record: str = ""  # the TXT record text, ready to publish
    effect: str = ""  # what it changes for receivers
