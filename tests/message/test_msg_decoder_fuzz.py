"""Verdict decoders never raise on malformed values (issue 15 item 5): they decode what they
can and keep the rest raw. Every decoder's every header is fuzzed with values built from that
vendor's own vocabulary (so the decoders' deeper branches run), plus the reproducers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailcheck.message.headers import parse_headers
from mailcheck.message.verdicts import DECODERS, Disposition, decode_all

# vocabulary of every vendor's verdict grammar, and the numbers that break naive parsers
TOKENS = [
    "default:",
    "True",
    "False",
    "[",
    "]",
    " / ",
    ";",
    "; ",
    ",",
    ":",
    "=",
    "(",
    ")",
    " ",
    "\t",
    "1",
    "0",
    "-1",
    "7.40",
    "15.00",
    "1.2.3",
    "+",
    "-",
    "1e999",
    "nan",
    "inf",
    "99999999999999999999",
    "R_SPF_FAIL(",
    "DMARC_POLICY_REJECT(",
    "SYMBOL(",
    "[a,b]",
    "reject",
    "add header",
    "no action",
    "SCL:",
    "BCL:",
    "PCL:",
    "SFV:",
    "SPM",
    "SKI",
    "SKA",
    "NSPM",
    "CAT:",
    "BULK",
    "PHSH",
    "SFS:",
    "(13230040)",
    "(",
    "IPV:",
    "CAL",
    "SRV:",
    "DIR:",
    "INB",
    "CIP:",
    "dest:",
    "J",
    "I",
    "compauth=",
    "fail",
    "pass",
    "reason=",
    "000",
    "130",
    "spf=",
    "dmarc=",
    "action=",
    "Yes,",
    "No,",
    "score=",
    "required=",
    "tests=",
    "autolearn=",
    "version=",
    "YES",
    "rule=",
    "policy=",
    "spamscore=",
    "phishscore=",
    "bulkscore=",
    "classifier=",
    "spam",
    "SCORE=",
    "TAG_LEVEL=",
    "QUARANTINE_LEVEL=",
    "KILL_LEVEL=",
    "using per-user scores of",
    "10-",
    "-7.211500-",
    "4.000000",
    "Yes--",
    "--",
    "é",
    "\x00",
    "\ufffd",
    "\\",
    '"',
]
VALUES = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join) | st.text(max_size=200)
HEADERS = sorted({name for decoder in DECODERS for name in decoder.headers})
CHECK = settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def _headers(fields: list[tuple[str, str]]):
    text = "".join(f"{name}: {value}\r\n" for name, value in fields)
    return parse_headers(text.encode("utf-8", "surrogatepass") + b"\r\n")


@CHECK
@given(st.lists(st.tuples(st.sampled_from(HEADERS), VALUES), min_size=1, max_size=8))
def test_every_decoder_survives_its_own_vocabulary(fields):
    for verdict in decode_all(_headers(fields)):
        assert isinstance(verdict.disposition, Disposition)
        assert isinstance(verdict.summary, str) and isinstance(verdict.raw, str)
        for value in (verdict.score, verdict.threshold):
            assert value is None or isinstance(value, float)


@pytest.mark.parametrize("decoder", DECODERS, ids=lambda d: d.vendor)
@CHECK
@given(value=VALUES)
def test_each_decoder_alone_keeps_what_it_cannot_read_raw(decoder, value):
    fields = [(name, value) for name in decoder.headers]
    verdicts = decoder.decode(_headers(fields))
    kept = value.replace("\x00", "").strip()
    for verdict in verdicts:
        # the raw text is the value as received (the parser unfolds, strips and cuts it)
        assert not kept or verdict.raw, verdict


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Spamd-Result", "default: False [1 / 2]; R_SPF_FAIL(1.2.3)"),
        ("X-Spamd-Result", "default: True [1e999 / nan]; A(1)[x]; B(--1); C(.)"),
        ("X-Forefront-Antispam-Report", "SCL:1.2.3;SFV:;CAT:;SFS:(;IPV:"),
        ("X-Microsoft-Antispam", "BCL:-;SFV:SKI"),
        ("X-Spam-Status", "Yes, score=1.2.3 required=nan tests=,,,"),
        ("X-TMASE-Result", "10-1.2.3-4.0.0"),
        ("X-Barracuda-Spam-Status", "Yes, SCORE=1.2.3 using per-user scores of TAG_LEVEL=x"),
        ("X-Proofpoint-Spam-Details", "rule=spam score=1.2.3 spamscore=-"),
        ("X-Mimecast-Spam-Score", "1.2.3"),
        ("X-MS-Exchange-Organization-SCL", "1.2.3"),
        ("Authentication-Results", "spf=pass; compauth=fail reason=zzz9"),
    ],
)
def test_reproducers_decode_partially(name, value):
    verdicts = decode_all(_headers([(name, value)]))
    assert verdicts, "a malformed verdict header is shown, not dropped"
    assert all(v.raw for v in verdicts)


def test_rspamd_keeps_the_symbols_it_can_read():
    value = "default: False [1 / 2]; R_SPF_FAIL(1.2.3); DMARC_POLICY_REJECT(2.00)[a.example]"
    [verdict] = decode_all(_headers([("X-Spamd-Result", value)]))
    assert verdict.tests == ("DMARC_POLICY_REJECT(2)",)
    assert "R_SPF_FAIL(1.2.3)" in verdict.raw
