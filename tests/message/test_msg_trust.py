"""Which Authentication-Results fields are trusted: SpamAssassin's trust-boundary message
(authres/spamassassin) and the forged-field case from the corpus."""

from __future__ import annotations

import ipaddress

import pytest

from mailcheck.message.chain import build_chain
from mailcheck.message.headers import parse_headers
from mailcheck.message.org import OrgContext
from mailcheck.message.provenance import entry_of
from mailcheck.message.received import parse_received
from mailcheck.message.trust import Trust, aggregate, classify
from tests.message.msg_helpers import conformance_dir, load_yaml

IGNORED = ("authrestest3int", "authrestest4int")
EVERYWHERE = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


def _trusted_ids(org: OrgContext) -> tuple[list[str], dict[str, str]]:
    base = conformance_dir("authres") / "spamassassin"
    headers = parse_headers((base / "authres.eml").read_bytes())
    hops = tuple(parse_received(f.value, f.index) for f in headers.get_all("Received"))
    chain = build_chain(hops, org)
    fields = classify(
        headers.get_all("Authentication-Results"), entry_of(headers, chain.entry_hop), org
    )
    trusted = [f.parsed.authserv_id for f in fields if f.trust is Trust.TRUSTED]
    return trusted, aggregate(fields)


def _expected(name: str) -> dict:
    data = load_yaml(conformance_dir("authres") / "spamassassin" / "expected.yaml")
    return next(run for run in data["runs"] if run["name"].startswith(name))


def _networks(*texts: str):
    return tuple(ipaddress.ip_network(t) for t in texts)


@pytest.mark.parametrize(
    ("run", "org"),
    [
        ("default", OrgContext(networks=_networks("212.17.35.15/32"))),
        (
            "authres_networks trusted",
            OrgContext(networks=_networks("212.17.35.15/32", "141.154.95.22/32")),
        ),
        (
            "authres_networks all + authres_ignored_authserv",
            OrgContext(networks=EVERYWHERE, ignored_authserv_ids=IGNORED),
        ),
        (
            "authres_networks all + authres_trusted_authserv",
            OrgContext(networks=EVERYWHERE, authserv_ids=("authrestest6int",)),
        ),
    ],
)
def test_spamassassin_trust_boundary(run, org):
    expected = _expected(run)
    trusted, aggregated = _trusted_ids(org)
    skipped = set(expected.get("skipped_ignored_authserv", []))
    skipped |= set(expected.get("skipped_not_trusted_authserv", []))
    assert trusted == [i for i in expected["parsed"] if i not in skipped]
    for name in expected.get("not_parsed", []):
        assert name not in trusted
    assert " ".join(f"{k}={v}" for k, v in aggregated.items()) == expected["aggregated_results"]


def test_authres_below_entry_is_outside():
    data = (
        b"Authentication-Results: mx.org.example; spf=fail smtp.mailfrom=a.example\r\n"
        b"Received: from out.a.example (out.a.example [198.51.100.7]) by mx.org.example\r\n"
        b" (Postfix) with ESMTP id 1; Sun, 22 Nov 2026 03:00:00 +0000\r\n"
        b"Authentication-Results: mx.org.example; spf=pass smtp.mailfrom=a.example\r\n\r\n"
    )
    org = OrgContext(domains=("org.example",))
    headers = parse_headers(data)
    hops = tuple(parse_received(f.value, f.index) for f in headers.get_all("Received"))
    chain = build_chain(hops, org)
    assert chain.entry_certain
    fields = classify(
        headers.get_all("Authentication-Results"), entry_of(headers, chain.entry_hop), org
    )
    assert [f.trust for f in fields] == [Trust.TRUSTED, Trust.OUTSIDE]
    assert aggregate(fields) == {"spf": "fail"}


def test_foreign_authserv_id_inside_is_not_trusted():
    data = (
        b"Authentication-Results: spamfilter.vendor.example; dmarc=pass header.from=a.example\r\n"
        b"Received: from out.a.example (out.a.example [198.51.100.7]) by mx.org.example\r\n"
        b" with ESMTP; Sun, 22 Nov 2026 03:00:00 +0000\r\n\r\n"
    )
    org = OrgContext(domains=("org.example",))
    headers = parse_headers(data)
    hops = tuple(parse_received(f.value, f.index) for f in headers.get_all("Received"))
    chain = build_chain(hops, org)
    fields = classify(
        headers.get_all("Authentication-Results"), entry_of(headers, chain.entry_hop), org
    )
    assert [f.trust for f in fields] == [Trust.FOREIGN]


def test_arc_chain_with_two_first_instances_is_broken():
    """rspamd's arcbad sample: Microsoft's and FreeBSD's hops both wrote i=1."""
    from mailcheck.message.arc import read_arc

    data = (conformance_dir("spam-headers") / "samples" / "rspamd-arcbad.headers").read_bytes()
    chain = read_arc(parse_headers(data))
    assert chain.present
    assert any("ARC-Authentication-Results fields" in p for p in chain.problems)


async def test_microsoft_front_door_found_without_org_domain():
    """Without --org-domain the newest hop names the filter (Microsoft 365): its internal
    relays are skipped and its id-less Authentication-Results is trusted."""
    from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
    from mailcheck.message import analyze

    data = (conformance_dir("spam-headers") / "samples" / "mimekit-bounce.headers").read_bytes()
    facts = await analyze(data, "bounce", SnapshotResolver(Snapshot("t")), OrgContext())
    entry = facts.chain.entry_hop
    assert entry is not None and entry.from_ip == "185.132.181.12"
    assert not facts.chain.entry_certain
    assert facts.receiver_results["dmarc"] == "fail"
    assert facts.receiver_results["compauth"] == "softpass"


async def test_verdict_written_before_entry_is_not_the_orgs():
    """A sender can stamp its own "X-Spam-Status: No"; below the entry hop it is not used."""
    from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
    from mailcheck.message import analyze, evaluate

    data = (
        b"X-Spam-Status: Yes, score=9.0 required=5.0 tests=URIBL_BLACK\r\n"
        b"Received: from out.a.example (out.a.example [198.51.100.7]) by mx.org.example\r\n"
        b" (Postfix) with ESMTP id 1; Sun, 22 Nov 2026 03:00:00 +0000\r\n"
        b"X-Spam-Status: No, score=-5.0 required=5.0 tests=SENDER_SAYS_SO\r\n"
        b"From: a@a.example\r\n\r\n"
    )
    facts = await analyze(data, "m", SnapshotResolver(Snapshot("t")), OrgContext(("org.example",)))
    assert [(v.score, v.outside) for v in facts.verdicts] == [(9.0, False)]
    headers = parse_headers(data)
    assert headers.get_all("X-Spam-Status")[1].index > facts.chain.entry_hop.field_index
    assert "SpamAssassin marked it spam" in evaluate(facts, None)[0].summary


async def test_verdict_only_below_entry_is_marked_outside():
    from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
    from mailcheck.message import analyze, evaluate

    data = (
        b"Received: from out.a.example (out.a.example [198.51.100.7]) by mx.org.example\r\n"
        b" (Postfix) with ESMTP id 1; Sun, 22 Nov 2026 03:00:00 +0000\r\n"
        b"X-Spam-Status: Yes, score=9.0 required=5.0 tests=FORGED\r\n"
        b"From: a@a.example\r\n\r\n"
    )
    facts = await analyze(data, "m", SnapshotResolver(Snapshot("t")), OrgContext(("org.example",)))
    assert [v.outside for v in facts.verdicts] == [True]
    assert "marked it" not in evaluate(facts, None)[0].summary


async def test_two_from_fields_are_flagged():
    from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
    from mailcheck.message import analyze, evaluate

    data = b"From: a@a.example\r\nFrom: b@b.example\r\nSubject: s\r\n\r\nbody\r\n"
    facts = await analyze(data, "m", SnapshotResolver(Snapshot("t")), OrgContext())
    assert facts.identity.from_count == 2
    assert any("2 From fields" in f.summary for f in evaluate(facts, None))
    # DMARC is not judged on whichever From a reader happens to see first.
    assert facts.dmarc is None and facts.identity.from_domain is None
    (dmarc,) = [f for f in evaluate(facts, None) if f.code == "MSG016"]
    assert dmarc.summary == "DMARC cannot apply: the message has 2 From fields; RFC 5322 allows one"


async def test_a_hostile_from_names_no_domain():
    from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
    from mailcheck.message import analyze, evaluate

    data = b'From: "><img src=x onerror=alert(1)> <a@xss.example>\r\nSubject: s\r\n\r\nbody\r\n'
    facts = await analyze(data, "m", SnapshotResolver(Snapshot("t")), OrgContext())
    assert facts.identity.from_domain is None  # not "xss.example>", which nobody wrote
    (dmarc,) = [f for f in evaluate(facts, None) if f.code == "MSG016"]
    assert dmarc.summary == "DMARC cannot apply: the From field cannot be parsed as an address"
