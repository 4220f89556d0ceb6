"""``mailcheck sender``: the SPF matrix from the command line, against the loopback server."""

from __future__ import annotations

import json

from mailcheck.cli import main
from tests.nameserver import Fault


def _server(world) -> str:
    return "{}:{}".format(*world.address)


def test_sender_command_prints_matrix_and_findings(world, capsys):
    argv = ["sender", "trimble-identity", "--nameserver", _server(world), "--timeout", "1"]
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 1  # warnings: drift, shared infrastructure, a staging domain without SPF
    assert "SPF matrix for profile trimble-identity" in out
    assert "104.130.122.50   pass" in out
    assert "SPF004" in out and "SHR001" in out and "SPF003" in out


def test_sender_command_json(world, capsys):
    assert main(["sender", "--json", "--nameserver", _server(world), "--timeout", "1"]) == 1
    data = json.loads(capsys.readouterr().out)
    checks = {c["check"]: c for c in data["checks"]}
    assert set(checks) == {
        "profile-networks",
        "sender-spf",
        "shared-infrastructure",
        "sender-dmarc",
        "reverse-dns",
        "dnsbl",
        "profile-sources",
    }
    domains = checks["sender-spf"]["facts"]["domains"]
    assert domains[0]["domain"] == "account.trimble.com"


def test_sender_command_servfail_exits_incomplete(world, capsys):
    world.faults.set("account.trimble.com", Fault.SERVFAIL)
    assert main(["sender", "--nameserver", _server(world), "--timeout", "1"]) == 4
    assert "SPF006" in capsys.readouterr().out


def test_sender_command_unknown_profile_is_usage_error(capsys):
    assert main(["sender", "nope"]) == 3
    assert "no sender profile 'nope'" in capsys.readouterr().err


def test_sender_record_then_replay_snapshot(world, tmp_path, capsys):
    snapshot = tmp_path / "dns.json"
    argv = [
        "sender",
        "--nameserver",
        _server(world),
        "--timeout",
        "1",
        "--record",
        str(snapshot),
    ]
    assert main(argv) == 1
    live = capsys.readouterr().out
    assert main(["sender", "--snapshot", str(snapshot)]) == 1
    assert capsys.readouterr().out.split("\n")[:30] == live.split("\n")[:30]
