"""HELO spoofing per MTA family: the address a client *claims* (HELO/EHLO argument, or text
made to look like a TCP-info comment) never becomes the client IP, and never turns SPF or
DMARC into pass. End to end through ``analyze`` over the loopback nameserver, whose zones
authorise only the forged address 203.0.113.5 for a.example (``-all``, ``p=reject``)."""

from __future__ import annotations

import pytest

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.message import analyze
from mailcheck.message.org import OrgContext
from mailcheck.message.received import parse_received
from tests.nameserver import LoopbackNameserver, quote_txt, zones_from_records

FORGED = "203.0.113.5"  # what the client claims
REAL = "192.0.2.66"  # what the receiver saw
DATE = "Sun, 22 Nov 2026 03:00:00 +0000"

# One Received line per MTA family, as that MTA writes it when the client lies in its HELO.
SPOOFS = {
    "exim-helo-literal": f"from [{REAL}] (helo=[{FORGED}]) by mx.org.example with esmtp "
    f"(Exim 4.96) (envelope-from <b@a.example>) id 1tX-0001-AB; {DATE}",
    "exim-rdns-helo": f"from host.isp.example ([{REAL}] helo=[{FORGED}]) by mx.org.example "
    f"with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) id 1tX-0002-AB; {DATE}",
    "exim-port-helo": f"from [{REAL}] (port=51234 helo=[{FORGED}]) by mx.org.example with "
    f"esmtp (Exim 4.97) id 1tX-0003-AB; {DATE}",
    "postfix-helo-literal": f"from [{FORGED}] (unknown [{REAL}]) by mx.org.example (Postfix) "
    f"with ESMTP id 4Q1; {DATE}",
    "postfix-helo-comment": f"from x ([{FORGED}]) (unknown [{REAL}]) by mx.org.example "
    f"(Postfix) with ESMTP id 4Q2; {DATE}",
    "postfix-helo-trap": f"from x (a [{FORGED}]) by (unknown [{REAL}]) by mx.org.example "
    f"(Postfix) with ESMTP id 4Q3; {DATE}",
    "postfix-helo-trap-host": f"from x (a [{FORGED}]) by mx.org.example (unknown [{REAL}]) by "
    f"mx.org.example (Postfix) with ESMTP id 4Q4; {DATE}",
    "postfix-tls-cn": f"from x (unknown [{REAL}]) (using TLSv1.3 with cipher "
    f'TLS_AES_256_GCM_SHA384 (256/256 bits)) (Client CN "[{FORGED}]", Issuer "x" (not '
    f"verified)) by mx.org.example (Postfix) with ESMTPS id 4Q5; {DATE}",
    "sendmail-helo-literal": f"from [{FORGED}] ([{REAL}]) by mx.org.example (8.17.1/8.17.1) "
    f"with ESMTP id 5AQ1; {DATE}",
    "sendmail-may-be-forged": f"from [{FORGED}] (host.isp.example [{REAL}] (may be forged)) by "
    f"mx.org.example (8.17.1/8.17.1) with ESMTP id 5AQ2; {DATE}",
    "qmail-helo": f"from unknown (HELO [{FORGED}]) ({REAL}) by mx.org.example with SMTP; {DATE}",
    "exchange-helo": f"from [{FORGED}] ({REAL}) by EX01.org.example ({'10.0.0.2'}) with "
    f"Microsoft SMTP Server id 15.2.1258.12 via Frontend Transport; {DATE}",
    "gmail-helo": f"from [{FORGED}] (host.isp.example. [{REAL}]) by mx.google.com with ESMTPS "
    f"id x1 for <u@org.example>; {DATE}",
}
# Lines where the receiver's TCP-info cannot be told from the client's text: no client IP.
AMBIGUOUS = {
    "postfix-helo-unbalanced": f"from x (a [{FORGED}] (unknown [{REAL}]) by mx.org.example "
    f"(Postfix) with ESMTP id 4Q6; {DATE}",
    "no-by-clause": f"from x (a [{FORGED}]); {DATE}",
    # the HELO "a [ip]) by mx.org.example (" opens a comment that swallows the real TCP-info
    "postfix-helo-swallows-by": f'from a [{FORGED}]) by mx.org.example (" (unknown [{REAL}]) '
    f"by mx.org.example (Postfix) with ESMTP id 4Q8; {DATE}",
    "postfix-helo-open-quote": f'from x" (unknown [{REAL}]) by mx.org.example (Postfix) with '
    f"ESMTP id 4Q9; {DATE}",
    "postfix-helo-open-angle": f"from x< (unknown [{REAL}]) by mx.org.example (Postfix) with "
    f"ESMTP id 4QA; {DATE}",
    "helo-with-spaces-no-tcp-info": f"from a [{FORGED}] b by mx.org.example with SMTP; {DATE}",
}


@pytest.mark.parametrize("line", SPOOFS.values(), ids=SPOOFS.keys())
def test_forged_helo_is_never_the_client_ip(line):
    hop = parse_received(line)
    assert hop.from_ip == REAL
    assert hop.by_host in ("mx.org.example", "ex01.org.example", "mx.google.com")


@pytest.mark.parametrize("line", AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
def test_ambiguous_line_has_no_client_ip(line):
    hop = parse_received(line)
    assert hop.from_ip is None and hop.ambiguous


@pytest.fixture(scope="module")
def spf_world():
    records = {
        "a.example": [("TXT", quote_txt(f"v=spf1 ip4:{FORGED} -all"))],
        "_dmarc.a.example": [("TXT", quote_txt("v=DMARC1; p=reject"))],
        "org.example": [("MX", "10 mx.org.example.")],
    }
    with LoopbackNameserver(zones_from_records(records)) as server:
        yield server


FORGED_BELOW = (
    f"from mail.a.example (mail.a.example [{FORGED}]) by mx.a.example (Postfix) with ESMTP "
    f"id 4QZ; {DATE}"
)


def _message(received: str) -> bytes:
    return (
        f"Received: {received}\r\n"
        f"Received: {FORGED_BELOW}\r\n"
        "Return-Path: <b@a.example>\r\n"
        "From: Alerts <no-reply@a.example>\r\n"
        "To: u@org.example\r\nSubject: code\r\nMessage-ID: <1@a.example>\r\n"
        f"Date: {DATE}\r\n\r\nbody\r\n"
    ).encode()


async def _facts(server: LoopbackNameserver, received: str):
    config = ResolverConfig((Nameserver(server.host, server.port),), timeout=1.0, retries=0)
    org = OrgContext(domains=("org.example",))
    return await analyze(_message(received), "spoof", LiveResolver(config), org)


@pytest.mark.parametrize(
    "line", list(SPOOFS.values()) + list(AMBIGUOUS.values()), ids=[*SPOOFS, *AMBIGUOUS]
)
async def test_forged_helo_never_passes_spf_or_dmarc(spf_world, line):
    facts = await _facts(spf_world, line)
    entry = facts.chain.entry_hop
    assert entry is not None and entry.from_ip != FORGED
    assert facts.spf.result != "pass" and facts.spf.ip != FORGED
    assert facts.dmarc is not None and facts.dmarc.result == "fail"


async def test_the_real_address_passes_when_it_is_authorised(spf_world):
    """Control: the same message from the authorised address does pass, so the tests above
    fail for the right reason."""
    line = f"from mail.a.example (mail.a.example [{FORGED}]) by mx.org.example (Postfix) with"
    facts = await _facts(spf_world, f"{line} ESMTP id 4Q7; {DATE}")
    assert (facts.spf.result, facts.dmarc.result if facts.dmarc else None) == ("pass", "pass")


def test_unconfirmed_reverse_name_is_not_an_org_host():
    """sendmail marks a PTR that does not resolve back "(may be forged)": an attacker who sets
    its PTR to a name of the org must not become an internal relay."""
    hop = parse_received(
        f"from x (mx.org.example [{FORGED}] (may be forged)) by mx.org.example (8.17.1/8.17.1) "
        f"with ESMTP id 5AQ3; {DATE}"
    )
    assert hop.from_ip == FORGED and hop.from_rdns is None
