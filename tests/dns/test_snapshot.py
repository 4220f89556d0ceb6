"""Snapshots: a recorded run replays to the same report, byte for byte, errors included."""

from __future__ import annotations

import json

import pytest

from mailcheck.app.build import build_report
from mailcheck.base.errors import (
    DnsNotRecordedError,
    DnsServerError,
    DnsTimeoutError,
    SnapshotError,
)
from mailcheck.dns.interface import Answer, Outcome, RRType
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import RecordingResolver, Snapshot, SnapshotResolver
from mailcheck.report.json import JsonRenderer
from tests.nameserver import Fault

CLOCK = "2026-11-22T00:00:00Z"


def recording(port: int) -> RecordingResolver:
    live = LiveResolver(ResolverConfig((Nameserver("127.0.0.1", port),), timeout=0.3, retries=0))
    return RecordingResolver(live, ("loopback",), clock=lambda: CLOCK)


@pytest.mark.parametrize(
    "domain", ["good.mxcases.example", "slow.mxcases.example", "null.mxcases.example"]
)
async def test_record_then_replay_gives_identical_report(nameserver, domain):
    nameserver.faults.set("mx.slow.mxcases.example", Fault.DROP)
    recorder = recording(nameserver.port)
    original = JsonRenderer().render(await build_report(domain, recorder))
    saved = recorder.evidence().to_json()

    replayer = SnapshotResolver(Snapshot.from_json(saved))
    replayed = JsonRenderer().render(await build_report(domain, replayer))
    assert replayed == original
    assert replayer.evidence().to_json() == saved  # replay of the replay's evidence is the same
    assert json.loads(saved)["recorded_at"] == CLOCK


async def test_errors_replay_as_the_same_errors(nameserver):
    nameserver.faults.set("dropped.dnstest.example", Fault.DROP)
    nameserver.faults.set("servfail.dnstest.example", Fault.SERVFAIL)
    recorder = recording(nameserver.port)
    for name in ("dropped.dnstest.example", "servfail.dnstest.example"):
        with pytest.raises((DnsTimeoutError, DnsServerError)):
            await recorder.resolve(name, RRType.A)
    replayer = SnapshotResolver(Snapshot.from_json(recorder.evidence().to_json()))
    with pytest.raises(DnsTimeoutError):
        await replayer.resolve("dropped.dnstest.example", RRType.A)
    with pytest.raises(DnsServerError) as info:
        await replayer.resolve("servfail.dnstest.example", RRType.A)
    assert info.value.rcode == "SERVFAIL"


async def test_replay_of_an_unrecorded_lookup_is_an_error_not_nxdomain():
    snapshot = Snapshot(CLOCK)
    with pytest.raises(DnsNotRecordedError):
        await SnapshotResolver(snapshot).resolve("absent.example", RRType.MX)


async def test_replay_is_case_and_dot_insensitive():
    answer = Answer("a.example", RRType.A, Outcome.ANSWER, ("192.0.2.1",), 60)
    recorder = RecordingResolver(SnapshotResolver(_snapshot_with(answer)), clock=lambda: CLOCK)
    assert (await recorder.resolve("A.Example.", RRType.A)).records == ("192.0.2.1",)


def _snapshot_with(answer: Answer) -> Snapshot:
    from mailcheck.dns.snapshot import Recorded

    return Snapshot(CLOCK, entries={(answer.name, answer.rrtype): Recorded(CLOCK, answer=answer)})


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "something-else"}',
        '{"format": "mailcheck-dns-snapshot", "format_version": 99}',
        '{"format": "mailcheck-dns-snapshot", "format_version": 1, "recorded_at": "x", '
        '"nameservers": [], "answers": {"a.example": {"BOGUS": {}}}}',
        '{"format": "mailcheck-dns-snapshot", "format_version": 1, "recorded_at": "x", '
        '"nameservers": [], "answers": {"a.example": {"A": {"outcome": "answer"}}}}',
    ],
)
def test_malformed_snapshot_is_a_clear_error(text):
    with pytest.raises(SnapshotError, match="^evidence.json: "):
        Snapshot.from_json(text, "evidence.json")
