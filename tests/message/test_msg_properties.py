"""Property tests: no header parser lets an exception escape on arbitrary input, and a whole
message analysis finishes within a time bound whatever the bytes."""

from __future__ import annotations

import asyncio
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailcheck.dkim import parse_tags
from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
from mailcheck.message import OrgContext, analyze, evaluate
from mailcheck.message.arc import read_arc
from mailcheck.message.authres import parse_authres
from mailcheck.message.headers import parse_headers
from mailcheck.message.received import parse_date, parse_received
from mailcheck.message.verdicts import decode_all

FIELDS = [
    "Received",
    "Authentication-Results",
    "ARC-Seal",
    "ARC-Message-Signature",
    "ARC-Authentication-Results",
    "DKIM-Signature",
    "From",
    "Return-Path",
    "X-Forefront-Antispam-Report",
    "X-Microsoft-Antispam",
    "X-MS-Exchange-Organization-SCL",
    "X-Spam-Status",
    "X-Spamd-Result",
    "X-Proofpoint-Spam-Details",
    "X-Mimecast-Spam-Score",
    "X-Barracuda-Spam-Status",
    "X-TMASE-Result",
    "X-Weird-Spam",
    "Subject",
]
# text rich in the characters the grammars care about
GRAMMAR_TEXT = st.text(
    alphabet=st.sampled_from(list('abcXYZ019 .;:=()[]<>@"\\/-_,\t\r\n') + ["é", "\x00", "\ufffd"]),
    max_size=300,
)
FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=500) | GRAMMAR_TEXT)
def test_authres_never_raises(value):
    for arc in (False, True):
        result = parse_authres(value, arc=arc)
        assert isinstance(result.error, str)


@FAST
@given(st.text(max_size=500) | GRAMMAR_TEXT)
def test_received_never_raises(value):
    hop = parse_received(value)
    assert hop.raw == value[: len(hop.raw)]
    parse_date(value)


@FAST
@given(st.text(max_size=500) | GRAMMAR_TEXT)
def test_tag_list_never_raises(value):
    assert isinstance(parse_tags(value), dict)


def _message(fields: list[tuple[str, str]], body: bytes) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in fields)
    return head.encode("utf-8", "surrogatepass") + b"\r\n" + body


MESSAGES = st.one_of(
    st.binary(max_size=3000),
    st.builds(
        _message,
        st.lists(st.tuples(st.sampled_from(FIELDS), GRAMMAR_TEXT), max_size=25),
        st.binary(max_size=200),
    ),
)


@FAST
@given(MESSAGES)
def test_header_parsers_and_decoders_never_raise(data):
    headers = parse_headers(data)
    decode_all(headers)
    read_arc(headers)


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(MESSAGES)
def test_whole_analysis_is_bounded(data):
    """Every DNS lookup fails (empty snapshot): the analysis still completes, quickly."""
    resolver = SnapshotResolver(Snapshot("2026-11-22T00:00:00Z"))
    start = time.monotonic()
    facts = asyncio.run(analyze(data, "fuzz", resolver, OrgContext(domains=("org.example",))))
    findings = evaluate(facts, None)
    assert findings[0].code == "MSG001"
    assert time.monotonic() - start < 5
