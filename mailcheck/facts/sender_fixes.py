"""What the sender's postmaster should change: one fix per problem, carried in the sender-spf
and sender-dmarc facts (``sender_fixes``) and, with the blocklist's delisting fixes, the
report's "tell the sender" section (``report/tell_sender.py``)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_TXT_STRING = 255  # RFC 1035 §3.3: one character-string holds at most 255 octets


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

    @property
    def zone_line(self) -> str:
        """The record as a zone-file line, its text split into quoted 255-octet strings."""
        if not self.record:
            return ""
        return f"{self.name}. 3600 IN TXT {' '.join(quoted_strings(self.record))}"


def quoted_strings(text: str) -> tuple[str, ...]:
    """``text`` as zone-file character-strings: quotes and backslashes escaped, 255 octets each."""
    data = text.encode("utf-8")
    chunks = [data[i : i + MAX_TXT_STRING] for i in range(0, len(data), MAX_TXT_STRING)] or [b""]
    return tuple(_quote(c.decode("utf-8", "replace")) for c in chunks)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
