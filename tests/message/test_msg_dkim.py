"""DKIM re-verification: the public vectors (dkim/dkim-vectors.yaml, Mail::DKIM's corpus) and a
message signed here, with every key served by the loopback nameserver and fetched by the
real ``LiveResolver`` over UDP/TCP."""

from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.message.headers import parse_headers
from mailcheck.protocols.dkim import to_crlf, verify_message
from tests.message.msg_helpers import conformance_dir, load_yaml
from tests.nameserver import Fault, LoopbackNameserver, quote_txt, zones_from_records


def resolver_for(server: LoopbackNameserver, timeout: float = 2.0) -> LiveResolver:
    config = ResolverConfig((Nameserver(server.host, server.port),), timeout=timeout, retries=0)
    return LiveResolver(config)


def txt_zone(records: dict[str, str | None]):
    """TXT records as a served zone (None: left out, so NXDOMAIN); 255-byte string chunks."""
    served = {}
    for name, text in records.items():
        if text is not None:
            raw = text.encode()
            chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
            served[name] = [("TXT", quote_txt(*chunks))]
    return zones_from_records(served)


async def results(data: bytes, server: LoopbackNameserver, timeout: float = 2.0):
    signatures = tuple(f.value for f in parse_headers(data).get_all("DKIM-Signature"))
    return await verify_message(data, signatures, resolver_for(server, timeout))


@pytest.fixture(scope="module")
def dns_server():
    with LoopbackNameserver(zones_from_records({})) as server:
        yield server


def _vectors():
    try:
        data = load_yaml(conformance_dir("dkim") / "dkim-vectors.yaml")
    except pytest.skip.Exception:
        return [pytest.param(None, None, id="conformance-missing")]
    return [pytest.param(data["zones"], v, id=v["id"]) for v in data["vectors"]]


@pytest.mark.parametrize(("zones", "vector"), _vectors())
async def test_dkim_vector(dns_server, zones, vector):
    if vector is None:
        conformance_dir("dkim")
    data = (conformance_dir("dkim") / vector["message"]).read_bytes()
    if "mutation" in vector:
        mutation = vector["mutation"]
        data = data.replace(mutation["find"].encode(), mutation["replace"].encode(), 1)
    dns_server.set_zones(txt_zone(zones[vector["zone"]]))
    got = await results(data, dns_server)
    for signature in vector["signatures"]:
        if signature["expected"] == "implementation-defined":
            continue  # RFC 6376 allows either for a second From field
        assert got[signature["index"]].result == signature["expected"], signature


def _fake_dns(text: str) -> tuple[dict[str, str | None], dict[str, Fault]]:
    records: dict[str, str | None] = {}
    faults: dict[str, Fault] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        name, _, value = line.partition(" ")
        value = value.strip()
        if value.startswith("~~"):
            faults[name] = Fault.SERVFAIL if "SERVFAIL" in value else Fault.DROP
        else:
            records[name] = None if value == "NXDOMAIN" else ("" if value == '""' else value)
    return records, faults


def _corpus():
    try:
        base = conformance_dir("dkim") / "mail-dkim"
    except pytest.skip.Exception:
        return [pytest.param(None, id="conformance-missing")]
    return [pytest.param(e, id=e["id"]) for e in load_yaml(base / "expected.yaml")["entries"]]


@pytest.fixture(scope="module")
def corpus_server():
    base = conformance_dir("dkim") / "mail-dkim"
    records, faults = _fake_dns((base / "FAKE_DNS.dat").read_text(encoding="utf-8"))
    with LoopbackNameserver(txt_zone(records)) as server:
        for name, fault in faults.items():
            server.faults.set(name, fault)
        yield server


@pytest.mark.parametrize("entry", _corpus())
async def test_mail_dkim_corpus_strict(corpus_server, entry):
    """Our reading of RFC 6376 + RFC 8301 (``strict_expected``): rsa-sha1, v other than 1
    and keys under 1024 bits are permerror; DomainKeys signatures are not DKIM."""
    if entry is None:
        conformance_dir("dkim")
    data = (conformance_dir("dkim") / "mail-dkim" / entry["message"]).read_bytes()
    got = await results(data, corpus_server, timeout=0.5)
    wanted = [s for s in entry["signatures"] if s["header"].lower() == "dkim-signature"]
    assert [g.result for g in got] == [s["strict_expected"] for s in wanted]


def _signed_message(key: rsa.RSAPrivateKey) -> bytes:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    body = (
        b"From: Codes <no-reply@msgsign.example>\r\nTo: a@msgtest.example\r\n"
        b"Subject: Your code is 123456\r\nDate: Sun, 22 Nov 2026 03:00:00 +0000\r\n"
        b"Message-ID: <1@msgsign.example>\r\n\r\nYour code is 123456.\r\n"
    )
    return dkim.sign(body, b"s2026", b"msgsign.example", pem) + body


def _key_record(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def test_signed_here_verifies_through_loopback_dns(dns_server, signing_key):
    dns_server.set_zones(txt_zone({"s2026._domainkey.msgsign.example": _key_record(signing_key)}))
    dns_server.reset_counters()
    (result,) = await results(_signed_message(signing_key), dns_server)
    assert (result.result, result.domain, result.selector) == ("pass", "msgsign.example", "s2026")
    assert result.key_bits == 2048
    assert dns_server.counters.count("s2026._domainkey.msgsign.example", "TXT") >= 1


async def test_signed_here_body_change_fails(dns_server, signing_key):
    dns_server.set_zones(txt_zone({"s2026._domainkey.msgsign.example": _key_record(signing_key)}))
    data = _signed_message(signing_key).replace(b"123456.", b"654321.")
    (result,) = await results(data, dns_server)
    assert result.result == "fail" and "body hash" in result.reason


async def test_key_timeout_is_temperror_not_missing(dns_server, signing_key):
    dns_server.set_zones(txt_zone({}))
    dns_server.faults.set("s2026._domainkey.msgsign.example", Fault.DROP)
    try:
        (result,) = await results(_signed_message(signing_key), dns_server, timeout=0.3)
    finally:
        dns_server.faults.clear()
    assert result.result == "temperror"


async def test_missing_key_is_permerror(dns_server, signing_key):
    dns_server.set_zones(txt_zone({}))
    (result,) = await results(_signed_message(signing_key), dns_server)
    assert result.result == "permerror" and "no key record" in result.reason


def test_bare_lf_becomes_crlf():
    assert to_crlf(b"a\nb\r\nc\n") == b"a\r\nb\r\nc\r\n"
