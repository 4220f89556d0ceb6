"""The bounded HTTPS GET against a real TLS server on loopback with a test CA."""

from __future__ import annotations

import pytest

from mailcheck.protocols.https import FetchOptions, https_get
from tests.https_server import HANG, response, serve_https
from tests.tlscerts import make_ca, self_signed

HOST = "mta-sts.sts.recv.example"
PATH = "/.well-known/mta-sts.txt"
POLICY = b"version: STSv1\r\nmode: enforce\r\nmx: mx.sts.recv.example\r\nmax_age: 86400\r\n"


@pytest.fixture
def ca(tmp_path):
    return make_ca(tmp_path)


def options(ca, port, **kwargs):
    return FetchOptions(port=port, ca_file=str(ca.ca_file), address="127.0.0.1", **kwargs)


async def fetch(ca, routes, cert=None, **kwargs):
    async with serve_https(cert or ca.issue(HOST), routes) as server:
        result = await https_get(HOST, PATH, "127.0.0.1", options(ca, server.port, **kwargs))
    return result, server


async def test_fetch_good_policy(ca):
    result, _ = await fetch(ca, {PATH: response("200 OK", POLICY, "text/plain; charset=utf-8")})
    assert (result.status, result.error_kind, result.body) == (200, "", POLICY)
    assert result.content_type == "text/plain"


async def test_fetch_redirect_is_not_followed(ca):
    redirect = response("301 Moved", b"", extra="Location: https://elsewhere.example/p\r\n")
    result, server = await fetch(ca, {PATH: redirect, "/p": response("200 OK", POLICY)})
    assert result.status == 301
    assert result.headers["location"] == "https://elsewhere.example/p"
    assert server.requests == [PATH]


async def test_fetch_timeout_when_server_never_answers(ca):
    result, _ = await fetch(ca, {PATH: HANG}, timeout=0.5)
    assert result.error_kind == "timeout" and result.status == 0


async def test_fetch_rejects_certificate_for_another_host(ca):
    result, _ = await fetch(ca, {PATH: response("200 OK", POLICY)}, cert=ca.issue("other.example"))
    assert result.error_kind == "certificate"
    assert HOST in result.error


async def test_fetch_rejects_untrusted_certificate(ca, tmp_path):
    cert = self_signed(tmp_path, HOST)
    result, _ = await fetch(ca, {PATH: response("200 OK", POLICY)}, cert=cert)
    assert result.error_kind == "certificate"


async def test_fetch_caps_the_body(ca):
    big = response("200 OK", b"x" * 2000)
    result, _ = await fetch(ca, {PATH: big}, max_body=1000)
    assert result.error_kind == "too-large"


async def test_fetch_caps_a_body_without_length(ca):
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + b"y" * 5000
    result, _ = await fetch(ca, {PATH: raw}, max_body=1000)
    assert result.error_kind == "too-large"


async def test_fetch_chunked_body(ca):
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n" % len(POLICY)
        + POLICY
        + b"\r\n0\r\n\r\n"
    )
    result, _ = await fetch(ca, {PATH: raw})
    assert (result.status, result.body) == (200, POLICY)


async def test_fetch_connection_refused_is_connect_error(ca):
    async with serve_https(ca.issue(HOST), {}) as server:
        port = server.port
    result = await https_get(HOST, PATH, "127.0.0.1", options(ca, port, timeout=2))
    assert result.error_kind == "connect"


async def test_fetch_garbage_response_is_http_error(ca):
    result, _ = await fetch(ca, {PATH: b"SSH-2.0-OpenSSH\r\n\r\n"})
    assert result.error_kind == "http"
