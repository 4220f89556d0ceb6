"""Identities in both forms: an IDN sender shows its U-label and A-label (zone-file test on
the loopback nameserver), and a sender matched only ignoring letter case says so."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from mailcheck.base.idn import display_address, display_domain
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.sender_dmarc import SenderDmarcCheck
from mailcheck.checks.sender_spf import SenderSpfCheck
from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
from mailcheck.message.analyze import analyze
from mailcheck.message.judgement import match_profile, profile_findings
from mailcheck.message.org import OrgContext
from mailcheck.rulefiles.profiles import (
    Environment,
    Sender,
    SenderProfile,
    SourceNetwork,
    load_profile_file,
)
from tests.sender_world import resolver_for

IDN = "xn--bcher-kva.example"
RULES = Path(__file__).parents[1] / "data" / "rules" / "good" / "minimal.toml"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (IDN, "bücher.example (xn--bcher-kva.example)"),
        ("plain.example", "plain.example"),
        ("xn--zz-broken!.example", "xn--zz-broken!.example"),  # never guess on bad data
    ],
)
def test_display_domain(text, shown):
    assert display_domain(text) == shown


async def test_idn_sender_shown_in_both_forms(world):
    sender = Sender(f"alerts@{IDN}", Environment.PRODUCTION)
    network = SourceNetwork(ipaddress.ip_network("192.0.2.40/32"))
    profile = SenderProfile("p", "P", "V", "t", (), (sender,), (network,), (IDN,))
    context = CheckContext("acme.example", resolver_for(world), profile)
    spf = await SenderSpfCheck().run(context)
    dmarc = await SenderDmarcCheck().run(context)
    passed = next(f for f in spf.findings if f.code == "SPF001")
    assert f"bücher.example ({IDN})" in passed.summary and passed.subject == IDN
    summaries = " ".join(f.summary for f in dmarc.findings)
    assert f"alerts@bücher.example (alerts@{IDN})" in summaries
    assert f"bücher.example ({IDN}): DMARC policy" in summaries


@pytest.mark.parametrize(
    ("header", "note"), [("Alerts@Vendor.Example", True), ("alerts@vendor.example", False)]
)
async def test_case_insensitive_match_says_so(header, note):
    profile = load_profile_file(RULES)
    data = f"From: {header}\r\nSubject: t\r\n\r\n".encode()
    facts = await analyze(data, "m", SnapshotResolver(Snapshot("t")), OrgContext())
    found = profile_findings(facts, match_profile(facts, profile), profile)
    sender = next(f for f in found if f.code == "MSG021")
    assert ("case-insensitively, as the profile allows" in sender.summary) is note
    assert display_address("a@" + IDN) == f"a@bücher.example (a@{IDN})"
