"""The loopback test nameserver itself, queried with plain dnspython over UDP and TCP."""

from __future__ import annotations

import signal
import socket
import struct
import subprocess
import sys
import time
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from tests.nameserver import (
    REPO_ROOT,
    ZONES_DIR,
    Fault,
    LoopbackNameserver,
    NameserverProcess,
    quote_txt,
    zones_from_records,
)

TIMEOUT = 2.0
SHORT_TIMEOUT = 0.3


def udp(
    server: LoopbackNameserver, name: str, rdtype: str = "A", **kwargs: Any
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, **kwargs)
    return dns.query.udp(query, server.host, port=server.port, timeout=TIMEOUT)


def tcp(server: LoopbackNameserver, name: str, rdtype: str = "A") -> dns.message.Message:
    query = dns.message.make_query(name, rdtype)
    return dns.query.tcp(query, server.host, port=server.port, timeout=TIMEOUT)


def rdatas(response: dns.message.Message) -> list[str]:
    return [rdata.to_text() for rrset in response.answer for rdata in rrset]


def owners(response: dns.message.Message) -> list[str]:
    return [rrset.name.to_text() for rrset in response.answer]


@pytest.mark.parametrize("send", [udp, tcp])
def test_answer_is_authoritative_over_both_transports(nameserver, send):
    response = send(nameserver, "www.nstest.example")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert rdatas(response) == ["192.0.2.10"]


@pytest.mark.parametrize(
    ("name", "rdtype", "expected"),
    [
        ("www.nstest.example", "AAAA", ["2001:db8::10"]),
        ("nstest.example", "MX", ["10 mx.nstest.example."]),
        ("nstest.example", "NS", ["ns1.nstest.example."]),
        ("multi.nstest.example", "TXT", ['"first string" "second string"']),
        ("spf.nstest.example", "SPF", ['"v=spf1 -all"']),
        ("ptr.nstest.example", "PTR", ["www.nstest.example."]),
        (
            "_25._tcp.mx.nstest.example",
            "TLSA",
            ["3 1 1 " + "0c72ac70b745ac19998811b131d662c9" + "ac69dbdbe7cb23e5b514b56664c5d3d6"],
        ),
        ("WWW.NSTEST.EXAMPLE.", "A", ["192.0.2.10"]),
    ],
)
def test_answer_each_record_type(nameserver, name, rdtype, expected):
    assert rdatas(udp(nameserver, name, rdtype)) == expected


def test_nxdomain_has_soa_in_authority(nameserver):
    response = udp(nameserver, "nope.nstest.example")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.flags & dns.flags.AA
    assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]


@pytest.mark.parametrize("name", ["txt-only.nstest.example", "ent.nstest.example"])
def test_nodata_has_soa_in_authority(nameserver, name):
    response = udp(nameserver, name)
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]


def test_refused_outside_served_zones(nameserver):
    response = udp(nameserver, "example.com")
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA


def test_cname_chain_is_followed_in_answer(nameserver):
    response = udp(nameserver, "alias.nstest.example")
    assert owners(response) == [
        "alias.nstest.example.",
        "alias2.nstest.example.",
        "www.nstest.example.",
    ]
    assert rdatas(response)[-1] == "192.0.2.10"


def test_cname_loop_stops_after_one_turn(nameserver):
    response = udp(nameserver, "loop1.nstest.example")
    assert owners(response) == ["loop1.nstest.example.", "loop2.nstest.example."]


def test_cname_to_missing_target_is_nxdomain(nameserver):
    response = udp(nameserver, "dangling.nstest.example")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert rdatas(response) == ["missing.nstest.example."]


def test_cname_to_unserved_target_stops_at_cname(nameserver):
    response = udp(nameserver, "outside.nstest.example")
    assert response.rcode() == dns.rcode.NOERROR
    assert rdatas(response) == ["www.elsewhere.invalid."]


@pytest.mark.parametrize("name", ["x.wild.nstest.example", "a.b.wild.nstest.example"])
def test_wildcard_answers_with_query_name(nameserver, name):
    response = udp(nameserver, name, "TXT")
    assert owners(response) == [name + "."]
    assert rdatas(response) == ['"wildcard"']


@pytest.mark.parametrize(
    ("name", "rcode"),
    [
        ("exists.wild.nstest.example", dns.rcode.NOERROR),
        ("a.exists.wild.nstest.example", dns.rcode.NXDOMAIN),
    ],
)
def test_wildcard_does_not_cover_existing_names(nameserver, name, rcode):
    response = udp(nameserver, name, "TXT")
    assert response.rcode() == rcode
    assert response.answer == []


def test_big_answer_truncated_without_edns(nameserver):
    response = udp(nameserver, "big.nstest.example", "TXT")
    assert response.flags & dns.flags.TC
    assert response.answer == []


def test_big_answer_fits_with_edns_payload(nameserver):
    response = udp(nameserver, "big.nstest.example", "TXT", use_edns=0, payload=4096)
    assert not response.flags & dns.flags.TC
    assert len(rdatas(response)) == 1


def test_big_answer_full_over_tcp_fallback(nameserver):
    query = dns.message.make_query("big.nstest.example", "TXT")
    response, used_tcp = dns.query.udp_with_fallback(
        query, nameserver.host, port=nameserver.port, timeout=TIMEOUT
    )
    assert used_tcp
    assert [len(s) for s in response.answer[0][0].strings] == [200, 200, 200]
    assert (nameserver.counters.udp, nameserver.counters.tcp) == (1, 1)


@pytest.mark.parametrize("send", [udp, tcp])
def test_drop_fault_times_out(nameserver, send):
    nameserver.faults.set("www.nstest.example", Fault.DROP)
    query = dns.message.make_query("www.nstest.example", "A")
    method = dns.query.udp if send is udp else dns.query.tcp
    with pytest.raises(dns.exception.Timeout):
        method(query, nameserver.host, port=nameserver.port, timeout=SHORT_TIMEOUT)
    assert nameserver.counters.count("www.nstest.example", "A") == 1


@pytest.mark.parametrize(
    ("fault", "rcode"), [(Fault.SERVFAIL, dns.rcode.SERVFAIL), (Fault.REFUSED, dns.rcode.REFUSED)]
)
def test_rcode_faults(nameserver, fault, rcode):
    nameserver.faults.set("www.nstest.example", fault)
    assert udp(nameserver, "www.nstest.example").rcode() == rcode
    assert tcp(nameserver, "www.nstest.example").rcode() == rcode
    assert udp(nameserver, "mx.nstest.example").rcode() == dns.rcode.NOERROR


@pytest.mark.parametrize(
    "spelling", ["WWW.NSTEST.EXAMPLE", "www.nstest.example.", "Www.NsTest.Example."]
)
def test_fault_names_match_any_case_and_dot(nameserver, spelling):
    nameserver.faults.set(spelling, Fault.SERVFAIL)
    assert udp(nameserver, "www.nstest.example").rcode() == dns.rcode.SERVFAIL
    nameserver.faults.set("www.nstest.example", None)
    assert udp(nameserver, "www.nstest.example").rcode() == dns.rcode.NOERROR


def test_force_truncate_applies_to_udp_only(nameserver):
    nameserver.faults.set("www.nstest.example", Fault.TRUNCATE)
    truncated = udp(nameserver, "www.nstest.example")
    assert truncated.flags & dns.flags.TC and truncated.answer == []
    assert rdatas(tcp(nameserver, "www.nstest.example")) == ["192.0.2.10"]


@pytest.mark.parametrize("send", [udp, tcp])
def test_delay_postpones_reply(nameserver, send):
    nameserver.faults.delay = 0.3
    start = time.monotonic()
    assert rdatas(send(nameserver, "www.nstest.example")) == ["192.0.2.10"]
    assert time.monotonic() - start >= 0.3


def test_delay_serves_a_thousand_concurrent_queries_in_one_period(nameserver):
    nameserver.faults.delay = 1.0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.settimeout(5.0)
        start = time.monotonic()
        for i in range(1000):
            query = dns.message.make_query(f"n{i}.wild.nstest.example", "A")
            query.id = i
            sock.sendto(query.to_wire(), nameserver.address)
            if i % 100 == 99:
                time.sleep(0.005)  # pace the burst so socket buffers do not overflow
        ids = {dns.message.from_wire(sock.recv(65_535)).id for _ in range(1000)}
        elapsed = time.monotonic() - start
    assert ids == set(range(1000))
    assert 1.0 <= elapsed < 3.0


def test_counters_per_transport_and_name(nameserver):
    udp(nameserver, "WWW.nstest.example.")
    udp(nameserver, "www.nstest.example", "AAAA")
    tcp(nameserver, "www.nstest.example")
    counters = nameserver.counters
    assert (counters.total, counters.udp, counters.tcp) == (3, 2, 1)
    assert counters.count("www.nstest.example", "A") == 2
    assert counters.by_query() == {
        ("www.nstest.example", "A"): 2,
        ("www.nstest.example", "AAAA"): 1,
    }
    nameserver.reset_counters()
    assert (counters.total, counters.by_query()) == (0, {})


def test_malformed_udp_is_ignored(nameserver):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"\x00\x01garbage", nameserver.address)
    assert rdatas(udp(nameserver, "www.nstest.example")) == ["192.0.2.10"]
    assert nameserver.counters.total == 1


def test_tcp_garbage_closes_connection(nameserver):
    with socket.create_connection(nameserver.address, timeout=TIMEOUT) as sock:
        sock.sendall(struct.pack("!H", 5) + b"junk!")
        assert sock.recv(100) == b""
    assert rdatas(tcp(nameserver, "www.nstest.example")) == ["192.0.2.10"]


def test_tcp_answers_several_queries_on_one_connection(nameserver):
    with socket.create_connection(nameserver.address, timeout=TIMEOUT) as sock:
        for name in ["www.nstest.example", "mx.nstest.example", "ns1.nstest.example"]:
            query = dns.message.make_query(name, "A")
            response = dns.query.tcp(query, nameserver.host, timeout=TIMEOUT, sock=sock)
            assert response.rcode() == dns.rcode.NOERROR and len(rdatas(response)) == 1
    assert nameserver.counters.tcp == 3


def test_other_opcodes_are_not_implemented(nameserver):
    query = dns.message.make_query("nstest.example", "SOA")
    query.set_opcode(dns.opcode.NOTIFY)
    response = dns.query.udp(query, nameserver.host, port=nameserver.port, timeout=TIMEOUT)
    assert response.rcode() == dns.rcode.NOTIMP


async def test_async_client_uses_its_own_loop(nameserver):
    query = dns.message.make_query("www.nstest.example", "A")
    response = await dns.asyncquery.udp(
        query, nameserver.host, port=nameserver.port, timeout=TIMEOUT
    )
    assert rdatas(response) == ["192.0.2.10"]


def test_stop_closes_open_connections_and_pending_replies(zone_set):
    server = LoopbackNameserver(zone_set, delay=5.0)
    server.start()
    with (
        socket.create_connection(server.address, timeout=TIMEOUT) as tcp_sock,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp_sock,
    ):
        query = dns.message.make_query("www.nstest.example", "A")
        udp_sock.sendto(query.to_wire(), server.address)
        dns.query.send_tcp(tcp_sock, query)  # the connection is accepted once this is read
        while server.counters.tcp == 0:
            time.sleep(0.01)
        tcp_sock.sendall(struct.pack("!H", 5))  # and half a query
        start = time.monotonic()
        server.stop()
        assert time.monotonic() - start < 1.0
        assert tcp_sock.recv(100) == b""  # closed without an answer: the delay was 5 s


def test_start_twice_raises_and_stop_is_idempotent(nameserver):
    with pytest.raises(RuntimeError):
        nameserver.start()
    nameserver.stop()
    nameserver.stop()


# --- zones from records (conformance suites) -----------------------------------------------

RECORDS = {
    "example.com": [("TXT", '"v=spf1 " "-all"'), ("A", "192.0.2.1"), ("MX", "10 mx.example.com")],
    "text.example.com": [("TXT", quote_txt(b"caf\xc3\xa9", b"\x80\xff", b""))],
    "alias.example.com": [("CNAME", "example.com")],
    "foo:bar/baz.example.com": [("SPF", '"v=spf1 ?all"')],
    "timeout.example.com": [("TIMEOUT", "")],
    "6.5.4.3.in-addr.arpa": [("PTR", "example.com")],
}


@pytest.fixture
def records_server():
    with LoopbackNameserver(zones_from_records(RECORDS)) as server:
        yield server


def test_records_txt_keeps_strings_and_bytes(records_server):
    (rdata,) = udp(records_server, "text.example.com", "TXT").answer[0]
    assert rdata.strings == (b"caf\xc3\xa9", b"\x80\xff", b"")
    (spf,) = udp(records_server, "example.com", "TXT").answer[0]
    assert spf.strings == (b"v=spf1 ", b"-all")


@pytest.mark.parametrize(
    ("name", "rdtype", "expected"),
    [
        ("example.com", "MX", ["10 mx.example.com."]),
        ("alias.example.com", "A", ["example.com.", "192.0.2.1"]),
        ("foo:bar/baz.example.com", "SPF", ['"v=spf1 ?all"']),
        ("6.5.4.3.in-addr.arpa", "PTR", ["example.com."]),
    ],
)
def test_records_answers(records_server, name, rdtype, expected):
    response = udp(records_server, name, rdtype)
    assert response.flags & dns.flags.AA
    assert rdatas(response) == expected


@pytest.mark.parametrize(
    ("name", "rcode"),
    [
        ("other.example.com", dns.rcode.NXDOMAIN),
        ("com", dns.rcode.NOERROR),  # an empty non-terminal above example.com
        ("net", dns.rcode.NXDOMAIN),
    ],
)
def test_records_unknown_names_are_negative_with_soa(records_server, name, rcode):
    response = udp(records_server, name, "TXT")
    assert (response.rcode(), response.answer) == (rcode, [])
    assert response.authority[0].rdtype == dns.rdatatype.SOA


def test_records_timeout_never_answers(records_server):
    query = dns.message.make_query("TIMEOUT.example.com", "TXT")
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(query, records_server.host, port=records_server.port, timeout=SHORT_TIMEOUT)


def test_set_zones_swaps_served_data(records_server):
    records_server.set_zones(zones_from_records({"new.example": [("A", "192.0.2.7")]}))
    assert rdatas(udp(records_server, "new.example")) == ["192.0.2.7"]
    assert udp(records_server, "example.com").rcode() == dns.rcode.NXDOMAIN


@pytest.mark.parametrize("data", [b"", b'"', b"\\", b"\x00\x7f\x80\xff", "é".encode()])
def test_quote_txt_round_trips_bytes(data):
    server_records = {"q.example": [("TXT", quote_txt(data, "plain"))]}
    with LoopbackNameserver(zones_from_records(server_records)) as server:
        (rdata,) = udp(server, "q.example", "TXT").answer[0]
    assert rdata.strings == (data, b"plain")


# --- subprocess mode -----------------------------------------------------------------------


def test_subprocess_serves_zone_files_with_delay():
    with NameserverProcess(ZONES_DIR, delay_ms=200) as process:
        query = dns.message.make_query("www.nstest.example", "A")
        start = time.monotonic()
        response = dns.query.udp(query, process.host, port=process.port, timeout=TIMEOUT)
        assert time.monotonic() - start >= 0.2
    assert rdatas(response) == ["192.0.2.10"]
    assert process.returncode == 0  # it exited because its stdin closed


def test_subprocess_stops_on_sigterm():
    command = [sys.executable, "-m", "tests.nameserver", "--zones", str(ZONES_DIR)]
    with subprocess.Popen(
        command, cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stdout.readline().startswith("PORT ")
        process.send_signal(signal.SIGTERM)
        assert process.wait(TIMEOUT) == 0
