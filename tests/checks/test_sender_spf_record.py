"""The sender SPF check follows the evaluator's limits, over the loopback nameserver serving
``tests/data/zones/spflimits.example.zone``: lookups past 10, void lookups past 2, include
loops and broken includes, ignored redirect=, long records and several v=spf1 records."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.sender_spf import SenderSpfCheck
from mailcheck.protocols.spf import check_host, expand_record
from mailcheck.protocols.spf.merge import merge_records
from mailcheck.protocols.spf.reach import reach
from mailcheck.rulefiles.profiles import (
    Environment,
    Sender,
    SenderProfile,
    SourceNetwork,
    load_profile_file,
)
from mailcheck.rulefiles.values import unmap_network
from mailcheck.snippets import FilterKind, SnippetFacts, SnippetOptions
from tests.sender_world import resolver_for


def profile(domain: str, *ips: str) -> SenderProfile:
    networks = tuple(SourceNetwork(ipaddress.ip_network(ip)) for ip in ips)
    sender = Sender(f"noreply@{domain}", Environment.PRODUCTION)
    return SenderProfile("p", "P", "V", "test", (), (sender,), networks)


async def run(world, domain: str, *ips: str) -> CheckResult:
    context = CheckContext("acme.example", resolver_for(world), profile(domain, *ips))
    return await SenderSpfCheck().run(context)


def only(result: CheckResult, code: str) -> Finding:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, [f.code for f in result.findings]
    return found[0]


async def test_eleventh_include_is_past_the_limit_and_not_authorised(world):
    result = await run(world, "over.spflimits.example", "54.240.27.31")
    assert only(result, "SPF001").status is Status.PASS  # ip4 matches before any lookup
    limit = only(result, "SPF012")
    assert limit.status is Status.FAIL
    assert "include:i11.spflimits.example" in limit.summary
    assert "11 DNS-querying terms" in limit.summary
    assert "counted: 11. over.spflimits.example: include:i11.spflimits.example" in limit.evidence
    unreachable = [e for e in limit.evidence if e.startswith("159.135.229.174/32 via")]
    assert (
        unreachable and "not authorised: the record fails before it gets there" in (unreachable[0])
    )
    drift = only(result, "SPF003")
    assert not any("159.135.229.174" in e for e in drift.evidence)
    assert any(e.startswith("198.51.100.10/32 via") for e in drift.evidence)
    outcome = await check_host(
        resolver_for(world), "159.135.229.174", "over.spflimits.example", "x"
    )
    assert outcome.result.value == "permerror"  # what the finding stands behind


async def test_listed_ip_past_the_limit_is_not_pass(world):
    result = await run(world, "over.spflimits.example", "159.135.229.174")
    assert not any(f.code == "SPF001" for f in result.findings)
    assert only(result, "SPF007").status is Status.FAIL
    assert only(result, "SPF012").status is Status.FAIL


@pytest.mark.parametrize(
    ("domain", "cut", "reason", "lost"),
    [
        ("voids", "a:nx3.spflimits.example", "void lookup number 3", "192.0.2.99/32"),
        ("loopa", "include:loopa.spflimits.example", "loop", "192.0.2.98/32"),
        ("brokeninc", "include:badsyntax.spflimits.example", "syntax error", "192.0.2.97/32"),
    ],
)
async def test_void_loop_and_broken_include_cut_the_record(world, domain, cut, reason, lost):
    result = await run(world, f"{domain}.spflimits.example", "192.0.2.1")
    limit = only(result, "SPF012")
    assert cut in limit.summary and reason in limit.summary
    assert any(e.startswith(f"{lost} via") and "fails before" in e for e in limit.evidence)
    drift = [f for f in result.findings if f.code == "SPF003"]
    assert not any(lost in e for f in drift for e in f.evidence)
    assert not any(f.code == "SPF008" for f in result.findings)  # nothing depends on a message


async def test_reach_per_family_counts_what_the_evaluator_counts(world):
    expanded = await expand_record(resolver_for(world), "over.spflimits.example")
    walk = reach(expanded, 4)
    assert walk.lookups == 11 and walk.cut.endswith("include:i11.spflimits.example")
    assert [str(a.network) for a in walk.reachable][:2] == ["54.240.27.31/32", "198.51.100.1/32"]
    assert [str(u.network.network) for u in walk.unreachable] == ["159.135.229.174/32"]


async def test_redirect_ignored_because_of_all(world):
    result = await run(world, "redirall.spflimits.example", "54.240.27.31")
    finding = only(result, "SPF013")
    assert finding.evidence == ("redirall.spflimits.example: redirect=i1.spflimits.example",)
    assert "§6.1" in finding.summary


async def test_record_over_450_octets(world):
    result = await run(world, "long.spflimits.example", "54.240.27.31")
    assert only(result, "SPF001").status is Status.PASS
    long = only(result, "SPF014")
    assert "512 octets" in long.summary
    assert long.evidence == ("TXT strings: 200 + 200 + 112 octets (RFC 7208 §3.3)",)
    verdict = result.facts.domains[0].verdicts[0]
    assert [len(s) for s in verdict.trace.strings] == [200, 200, 112]


async def test_split_record_is_shown_in_the_trace(world):
    from mailcheck.report.matrix import sender_matrix

    result = await run(world, "long.spflimits.example", "54.240.27.31")
    matrix = sender_matrix(result.facts)
    assert matrix is not None
    first = matrix.rows[0].cells[0].trace[0]
    assert first.term == "(record split into 3 TXT strings)"
    assert first.note.startswith("200 + 200 + 112 octets, joined without spaces: 'v=spf1 ip4:")


async def test_several_records_get_a_merged_record(world):
    result = await run(world, "several.spflimits.example", "54.240.27.31")
    finding = only(result, "SPF015")
    assert (
        "merged: v=spf1 ip4:54.240.27.31 include:i1.spflimits.example "
        "include:i2.spflimits.example -all"
    ) in finding.evidence
    assert "the merged record makes 2 DNS-querying terms" in finding.evidence
    assert any("strictest, -all" in e for e in finding.evidence)


async def test_merge_that_itself_exceeds_the_limit_says_so(world):
    result = await run(world, "heavy.spflimits.example", "54.240.27.31")
    finding = only(result, "SPF015")
    assert any("makes 11 DNS-querying terms: more than 10" in e for e in finding.evidence)


def test_merge_refuses_conflicting_redirects():
    merged = merge_records(("v=spf1 redirect=a.example", "v=spf1 mx redirect=b.example"))
    assert merged.text == "" and "different domains" in merged.notes[0]


async def test_mapped_ip6_range_in_spf_is_not_authorised(world):
    result = await run(world, "mapped.spflimits.example", "54.240.27.31")
    finding = only(result, "SPF016")
    assert finding.evidence == (
        "159.135.229.0/24, written as an IPv4-mapped IPv6 range, via "
        "mapped.spflimits.example: ip6:::ffff:159.135.229.0/120",
    )
    shape = result.facts.domains[0].shape
    assert [u.network for u in shape.unreachable] == ["159.135.229.0/24"]
    assert not any(f.code == "SPF003" for f in result.findings)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("::ffff:54.240.27.31", "54.240.27.31/32"),
        ("::ffff:54.240.27.0/120", "54.240.27.0/24"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("192.0.2.0/24", "192.0.2.0/24"),
    ],
)
def test_profile_networks_unmap_ipv4_mapped(raw, expected):
    assert str(unmap_network(ipaddress.ip_network(raw))) == expected


def test_profile_refuses_a_range_wider_than_the_mapped_space():
    with pytest.raises(ValueError, match="IPv4-mapped"):
        unmap_network(ipaddress.ip_network("::/80"))


def test_mapped_profile_network_loads_as_ipv4_and_snippets_never_emit_it(tmp_path):
    rules = Path(__file__).parents[1] / "data" / "rules" / "good" / "minimal.toml"
    text = rules.read_text().replace('network = "192.0.2.25"', 'network = "::ffff:192.0.2.25"')
    path = tmp_path / "mapped.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_profile_file(path)
    assert [str(n.network) for n in loaded.networks] == ["192.0.2.25/32"]
    options = SnippetOptions(include_ip_allowlist=True)
    texts = {
        kind: kind.snippet().render(loaded, options, SnippetFacts(shared_ips={})).text
        for kind in FilterKind
    }
    assert not [kind for kind, text in texts.items() if "::ffff" in text.lower()]
    assert "192.0.2.25" in texts[FilterKind.POSTFIX]


async def test_split_strings_survive_snapshot_replay_and_bad_ones_are_dropped(world):
    import json

    from mailcheck.dns.interface import RRType
    from mailcheck.dns.snapshot import RecordingResolver, Snapshot, SnapshotResolver

    recording = RecordingResolver(resolver_for(world))
    live = await recording.resolve("long.spflimits.example", RRType.TXT)
    text = recording.evidence().to_json()
    replayed = await SnapshotResolver(Snapshot.from_json(text)).resolve(
        "long.spflimits.example", RRType.TXT
    )
    assert replayed == live and [len(s) for s in live.strings[0]] == [200, 200, 112]
    tampered = json.loads(text)
    entry = json.dumps(tampered).replace('"strings": [["v=spf1', '"strings": [["v=spf9')
    bad = await SnapshotResolver(Snapshot.from_json(entry)).resolve(
        "long.spflimits.example", RRType.TXT
    )
    assert bad.strings == () and bad.records == live.records
    plain = await recording.resolve("i1.spflimits.example", RRType.TXT)
    assert plain.strings == ()  # unsplit records carry nothing, so old snapshots stay as they are


async def test_fixes_for_the_sender_flatten_past_the_limit_and_unmap(world):
    result = await run(world, "over.spflimits.example", "54.240.27.31")
    (fix,) = [f for f in result.facts.sender_fixes if f.code == "SPF012"]
    hosts = " ".join(f"ip4:198.51.100.{n}" for n in range(1, 11))
    assert fix.record == f"v=spf1 ip4:54.240.27.31 {hosts} ip4:159.135.229.174 -all"
    assert fix.clause == "RFC 7208 §4.6.4" and fix.name == "over.spflimits.example"
    result = await run(world, "mapped.spflimits.example", "54.240.27.31")
    (fix,) = [f for f in result.facts.sender_fixes if f.code == "SPF016"]
    assert fix.record == "v=spf1 ip4:54.240.27.31 ip4:159.135.229.0/24 -all"
    assert "::ffff" not in fix.record
