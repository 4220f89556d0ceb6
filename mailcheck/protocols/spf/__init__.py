"""SPF (RFC 7208): parse records, evaluate ``check_host()`` with a trace, expand to networks."""

from __future__ import annotations

from mailcheck.base.errors import SpfSyntaxError
from mailcheck.protocols.spf.evaluate import check_host, client_ip
from mailcheck.protocols.spf.expand import (
    AuthorizedNetwork,
    ExpandedRecord,
    ExpandedTerm,
    expand_record,
)
from mailcheck.protocols.spf.record import Record, is_spf_record, parse_record
from mailcheck.protocols.spf.trace import RecordTrace, SpfOutcome, SpfResult, TermTrace

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
