"""SPF (RFC 7208): parse records, evaluate ``check_host()`` with a trace, expand to networks."""

from __future__ import annotations

from mailcheck.errors import SpfSyntaxError
from mailcheck.spf.evaluate import check_host, client_ip
from mailcheck.spf.expand import AuthorizedNetwork, ExpandedRecord, ExpandedTerm, expand_record
from mailcheck.spf.record import Record, is_spf_record, parse_record
from mailcheck.spf.trace import RecordTrace, SpfOutcome, SpfResult, TermTrace

__all__ = [
    "AuthorizedNetwork",
    "ExpandedRecord",
    "ExpandedTerm",
    "Record",
    "RecordTrace",
    "SpfOutcome",
    "SpfResult",
    "SpfSyntaxError",
    "TermTrace",
    "check_host",
    "client_ip",
    "expand_record",
    "is_spf_record",
    "parse_record",
]
