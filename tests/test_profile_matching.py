"""analyze and the sink recognise every shipped profile's documented senders and sources,
and never a legacy one."""

from __future__ import annotations

import json

import pytest

from mailcheck.cli import main
from mailcheck.dns.snapshot import Snapshot, SnapshotResolver
from mailcheck.rulefiles.profiles import SenderProfile, get_profile
from mailcheck.smtp.analysis import analyse
from mailcheck.smtp.store import Envelope
from tests.profile_snapshots import shipped_profile_ids, snapshot_path

MESSAGE = """Received: from sender.example (sender.example [{ip}])
\tby mx1.acme.example (Postfix) with ESMTPS id 4ABC
\tfor <user@acme.example>; Sun, 22 Nov 2026 08:59:00 +0000
From: Vendor <{sender}>
To: user@acme.example
Subject: Your code
Date: Sun, 22 Nov 2026 08:58:59 +0000
Message-ID: <1@sender.example>

123456
"""


def _sender(profile: SenderProfile) -> str:
    if not profile.senders:
        return "someone@unrelated.example"
    first = profile.senders[0]
    return first.address.replace("*@", "code@")


def _ip(profile: SenderProfile) -> str:
    hosts = profile.documented_hosts
    return str(hosts[0].network.network_address) if hosts else "192.0.2.200"


@pytest.mark.parametrize("profile_id", shipped_profile_ids())
def test_analyze_matches_each_profile(profile_id, tmp_path, capsys):
    profile = get_profile(profile_id)
    eml = tmp_path / "m.eml"
    eml.write_text(MESSAGE.format(ip=_ip(profile), sender=_sender(profile)))
    argv = ["analyze", str(eml), "--profile", profile_id, "--org-domain", "acme.example"]
    code = main([*argv, "--snapshot", str(snapshot_path(profile_id)), "--json"])
    out, err = capsys.readouterr()
    assert code < 5, err
    passed = {
        f["code"] for c in json.loads(out)["checks"] for f in c["findings"] if f["status"] == "pass"
    }
    assert ("MSG021" in passed) == bool(profile.senders)  # From is a documented sender
    assert ("MSG022" in passed) == bool(profile.documented_hosts)  # a documented source


async def _sink_match(profile: SenderProfile, ip: str, mail_from: str, sender: str):
    """What the sink's analysis (the one core, fed the SMTP envelope) matched."""
    message = MESSAGE.format(ip=ip, sender=sender).replace("\n", "\r\n").encode()
    envelope = Envelope(mail_from, ("user@acme.example",), ip, 25, "sender.example", "", 0.0)
    resolver = SnapshotResolver(Snapshot.load(snapshot_path(profile.id)))
    return (await analyse(message, envelope, resolver, profile)).match


@pytest.mark.parametrize("profile_id", shipped_profile_ids())
async def test_sink_matching_for_each_profile(profile_id):
    profile = get_profile(profile_id)
    found = await _sink_match(profile, _ip(profile), "", _sender(profile))
    assert (found.from_sender is not None) == bool(profile.senders)
    assert (found.entry_network is not None) == bool(profile.documented_hosts)


async def test_legacy_entries_never_match():
    profile = get_profile("trimble-identity")
    found = await _sink_match(profile, "184.173.153.253", "x@trimblepaas.com", "x@trimble.com")
    assert (found.entry_network, found.from_sender, found.return_path_ok) == (None, None, False)
