"""Property tests: no header parser lets an exception escape on arbitrary input, and a whole
message analysis finishes within a time bound whatever the bytes."""

from __future__ import annotations

import asyncio
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
from mailcheck.message import OrgContext, analyze, evaluate
from mailcheck.message.arc import read_arc
from mailcheck.message.authres import parse_authres
from mailcheck.message.headers import parse_headers
from mailcheck.message.received import parse_date, parse_received
from mailcheck.message.verdicts import decode_all
from mailcheck.protocols.dkim import parse_tags

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


# no per-example deadline: the test asserts its own bound (5 s), which is the property
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MESSAGES)
def test_whole_analysis_is_bounded(data):
    """Every DNS lookup fails (empty snapshot): the analysis still completes, quickly."""
    resolver = SnapshotResolver(Snapshot("2026-11-22T00:00:00Z"))
    start = time.monotonic()
    facts = asyncio.run(analyze(data, "fuzz", resolver, OrgContext(domains=("org.example",))))
    findings = evaluate(facts, None)
    assert findings[0].code == "MSG001"
    assert time.monotonic() - start < 5


class _AnyKeyResolver:
    """Answers every TXT lookup with one valid RSA key record (a Resolver, not a mock)."""

    KEY = (
        "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08"
        "a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3"
        "rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
    )

    async def resolve(self, name, rrtype):
        from mailcheck.dns.interface import Answer, Outcome

        return Answer(name, rrtype, Outcome.ANSWER, (self.KEY,))


# values that get a signature past the first checks, so dkimpy's deeper code runs too
PLAUSIBLE = [
    "1",
    "rsa-sha256",
    "ed25519-sha256",
    "rsa-sha1",
    "relaxed/relaxed",
    "simple",
    "a.example",
    "s1",
    "from:to:subject",
    "from",
    "AAAA",
    "=",
    "0",
    "-1",
    "pass",
    "1700000000",
    "99999999999999999999",
    "dGVzdA==",
    "@a.example",
    "dns/txt",
]
SIGNATURE_TAGS = st.lists(
    st.tuples(
        st.sampled_from(
            ["v", "a", "c", "d", "s", "h", "bh", "b", "l", "t", "x", "i", "q", "z", "cv"]
        ),
        GRAMMAR_TEXT | st.sampled_from(PLAUSIBLE),
    ),
    min_size=4,
    max_size=14,
).map(lambda tags: "; ".join(f"{k}={v}" for k, v in tags))


@settings(max_examples=500, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(
    SIGNATURE_TAGS,
    st.sampled_from(["DKIM-Signature", "ARC-Seal", "ARC-Message-Signature"]),
    st.binary(max_size=300),
)
def test_signature_verification_never_raises(tags, name, body):
    from mailcheck.protocols.dkim import verify_arc, verify_message

    data = _message([(name, tags), ("From", "a@a.example")], body)
    results = asyncio.run(verify_message(data, (tags,), _AnyKeyResolver()))
    assert all(r.result in ("pass", "fail", "permerror", "temperror") for r in results)
    arc = asyncio.run(verify_arc(data, (tags,), _AnyKeyResolver()))
    assert arc.result in ("pass", "fail", "none", "temperror")


def _signed() -> tuple[bytes, str]:
    import base64

    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    body = b"From: a@a.example\r\nTo: b@b.example\r\nSubject: s\r\n\r\nHello.\r\n"
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    return dkim.sign(body, b"s1", b"a.example", pem) + body, record


SIGNED, SIGNED_KEY = _signed()


class _SignedKeyResolver(_AnyKeyResolver):
    KEY = SIGNED_KEY


@settings(max_examples=400, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SIGNED) - 1), st.binary(max_size=3)), max_size=4))
def test_mutated_signed_message_never_raises(edits):
    """Byte edits anywhere in a really signed message: dkimpy's deep paths run, nothing escapes."""
    from mailcheck.protocols.dkim import verify_message

    data = bytearray(SIGNED)
    for position, replacement in edits:
        data[position : position + 1] = replacement
    headers = parse_headers(bytes(data))
    signatures = tuple(f.value for f in headers.get_all("DKIM-Signature"))
    results = asyncio.run(verify_message(bytes(data), signatures, _SignedKeyResolver()))
    if not edits:
        assert [r.result for r in results] == ["pass"]
