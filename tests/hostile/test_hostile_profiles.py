"""Issue 15 items 1-3 and 10: what a hostile profile can no longer smuggle into an allowlist.

Each profile is a file loaded through the same path as a user's ``--rules DIR``; the CLI cases
go through ``main`` so exit codes and messages are what a user sees.
"""

from __future__ import annotations

import ipaddress
import json
import time
from pathlib import Path

import pytest

from mailcheck.base.errors import ProfileError
from mailcheck.cli import main
from mailcheck.rulefiles.profiles import load_profile_file
from mailcheck.rulefiles.values import overlapping_pairs, parse_network, unsafe_reason
from mailcheck.snippets import FilterKind, SnippetFacts, SnippetOptions, render_snippets
from tests.hostile.profile_text import SENDER, write_profile

IPS = SnippetOptions(include_ip_allowlist=True)

SMUGGLING = [
    "2600::1%x, 0.0.0.0, 198.51.100.7",  # the reproducer: a scope id carrying a list
    "2600::1%eth0",
    "2600::1%25x",
    "192.0.2.10 ",
    " 192.0.2.10",
    "192.0.2.10,198.51.100.7",
    "192.0.2.10\t",
    "192.0.2.0/24;",
    "١٩٢.0.2.10",  # Arabic-Indic digits: ipaddress would not take them, the rule says why
    "192.0.2.10/+32",
]


@pytest.mark.parametrize("network", SMUGGLING)
def test_network_with_text_outside_address_syntax_is_refused(tmp_path, network):
    with pytest.raises(ProfileError, match=r"hostile\.toml: networks\[0\]\.network: "):
        load_profile_file(write_profile(tmp_path, networks=(network,)))


def test_scope_id_reproducer_fails_rules_validate_with_exit_3(tmp_path, capsys):
    path = write_profile(tmp_path, networks=("2600::1%x, 0.0.0.0, 198.51.100.7",))
    assert main(["rules", "validate", str(path)]) == 3
    out = capsys.readouterr().out
    assert "networks[0].network" in out and "scope id" in out


def test_scope_id_cannot_reach_any_snippet(tmp_path, capsys):
    write_profile(tmp_path, networks=("2600::1%x, 0.0.0.0, 198.51.100.7",))
    argv = ["snippets", "--rules", str(tmp_path), "--profile", "hostile", "--include-ip-allowlist"]
    assert main([*argv, "--output", str(tmp_path / "out")]) == 3
    assert not (tmp_path / "out").exists()
    assert "0.0.0.0" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("written", "emitted"),
    [
        ("2001:DB8:0:0:0:0:0:A", "2001:db8::a"),
        ("2001:0db8::00a0", "2001:db8::a0"),
        ("2001:db8:0::0:b/128", "2001:db8::b"),
    ],
)
def test_snippets_print_addresses_rebuilt_from_parsed_values(tmp_path, written, emitted):
    profile = load_profile_file(write_profile(tmp_path, networks=(written,)))
    outputs = {o.filter: o for o in render_snippets(profile, IPS, facts=SnippetFacts())}
    for output in outputs.values():
        code = "".join(part.text for part in output.parts)
        assert written not in code or written == emitted, output.filter
    assert emitted in "".join(p.text for p in outputs[FilterKind.POSTFIX].parts)
    hosts = {str(n.network.network_address) for n in profile.documented_hosts}
    assert hosts == {emitted}


@pytest.mark.parametrize(
    "address",
    [
        "**@evil.example",
        "*.*@evil.example",
        "a*@evil.example",
        "a?b@evil.example",
        "?@evil.example",
    ],
)
def test_wildcards_in_exact_addresses_are_refused(tmp_path, address):
    with pytest.raises(ProfileError, match=r"senders\[0\]\.address: .*wildcards"):
        load_profile_file(write_profile(tmp_path, addresses=(address,)))


def test_domain_wildcard_is_accepted_but_never_an_allow_entry(tmp_path):
    path = write_profile(tmp_path, addresses=(SENDER, "*@hostile.example"))
    profile = load_profile_file(path)
    assert [s.is_wildcard for s in profile.senders] == [False, True]
    for output in render_snippets(profile, IPS, facts=SnippetFacts()):
        for part in output.parts:  # the pasted text, not the reviewer's header
            assert "*@" not in part.text, output.filter


UNSAFE = [
    "0.0.0.0/0",
    "::/0",
    "10.0.0.0/8",
    "10.1.2.3",
    "172.16.5.0/24",
    "192.168.1.1",
    "127.0.0.1",
    "169.254.10.0/24",
    "100.64.0.1",
    "224.0.0.1",
    "240.0.0.0/24",
    "255.255.255.255",
    "0.0.0.0",
    "198.18.0.1",
    "::",
    "::1",
    "::ffff:10.0.0.1",  # IPv4-mapped: loaded as 10.0.0.1, then refused as private
    "fe80::1",
    "fc00::1",
    "fd12:3456::/32",
    "ff02::1",
    "2001::1",
    "8.0.0.0/15",
    "2600::/31",
]


@pytest.mark.parametrize("network", UNSAFE)
def test_networks_no_sender_owns_are_refused_with_file_and_entry(tmp_path, network):
    path = write_profile(tmp_path, networks=("192.0.2.10", network))
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: networks[1].network: ")
    assert "--allow-unsafe-networks" in message


@pytest.mark.parametrize(
    "network", ["8.8.0.0/16", "54.240.27.0/24", "2600:1f18::/32", "2a01:111:f400::/48"]
)
def test_public_networks_up_to_the_width_limit_load(tmp_path, network):
    profile = load_profile_file(write_profile(tmp_path, networks=(network,)))
    assert profile.networks[0].network == ipaddress.ip_network(network)


def test_unsafe_network_loads_with_the_flag_and_the_report_says_so(tmp_path, capsys):
    write_profile(tmp_path, networks=("10.0.0.0/8",))
    argv = ["sender", "hostile", "--rules", str(tmp_path), "--snapshot", str(_empty(tmp_path))]
    assert main([*argv, "--format", "json"]) == 3  # refused without the flag
    assert "networks[0].network: 10.0.0.0/8: refused" in capsys.readouterr().err
    main([*argv, "--format", "json", "--allow-unsafe-networks"])
    (finding,) = _profile_findings(capsys.readouterr().out)
    assert finding["code"] == "NET002" and finding["status"] == "warn"
    assert "--allow-unsafe-networks" in finding["summary"]


def test_rules_validate_refuses_unsafe_networks_unless_allowed(tmp_path, capsys):
    path = write_profile(tmp_path, networks=("10.0.0.0/8",))
    assert main(["rules", "validate", str(path)]) == 3
    assert "refused" in capsys.readouterr().out
    assert main(["rules", "validate", "--allow-unsafe-networks", str(path)]) == 0
    assert main(["rules", "show", "hostile", "--rules", str(tmp_path)]) == 3
    assert (
        main(["rules", "show", "hostile", "--rules", str(tmp_path), "--allow-unsafe-networks"]) == 0
    )


def test_unsafe_hosts_loaded_with_the_flag_never_reach_a_snippet(tmp_path):
    path = write_profile(tmp_path, networks=("192.0.2.10", "10.1.2.3", "fe80::1", "::1"))
    profile = load_profile_file(path, allow_unsafe_networks=True)
    assert len(profile.documented_hosts) == 4
    for output in render_snippets(profile, IPS, facts=SnippetFacts()):
        code = "".join(part.text for part in output.parts)
        assert "10.1.2.3" not in code and "fe80" not in code and "::1" not in code, output.filter
    postfix = render_snippets(profile, IPS, (FilterKind.POSTFIX,), facts=SnippetFacts())[0]
    assert "192.0.2.10/32\tpermit" in postfix.text


def test_documentation_ranges_load_with_an_info_finding(tmp_path, capsys):
    write_profile(tmp_path, networks=("192.0.2.10", "198.51.100.0/24", "2001:db8::/48"))
    snapshot = _empty(tmp_path)
    argv = ["sender", "hostile", "--rules", str(tmp_path), "--snapshot", str(snapshot)]
    main([*argv, "--format", "json"])
    findings = _profile_findings(capsys.readouterr().out)
    assert [(f["code"], f["status"]) for f in findings] == [("NET001", "info")] * 3
    assert [f["subject"] for f in findings] == ["192.0.2.10/32", "198.51.100.0/24", "2001:db8::/48"]


def _profile_findings(report_json: str) -> list[dict[str, str]]:
    checks = json.loads(report_json)["checks"]
    (result,) = [c for c in checks if c["check"] == "profile-networks"]
    return list(result["findings"])


def _empty(tmp_path: Path) -> Path:
    """A snapshot with no answers: every check reports 'not recorded', none crashes."""
    path = tmp_path / "empty.json"
    path.write_text(
        '{"format": "mailcheck-dns-snapshot", "format_version": 1, '
        '"recorded_at": "2026-11-22T09:00:00Z", "nameservers": [], "answers": {}}'
    )
    return path


def test_overlap_sweep_finds_exactly_the_pairs_brute_force_finds():
    raw = ["8.8.0.0/16", "8.8.8.0/24", "8.8.8.8/32", "8.8.9.0/24", "9.9.9.9", "8.8.8.0/25"]
    raw += ["2600::/32", "2600::/48", "2600:0:1::/48", "2600:0:1::1"]
    nets = [ipaddress.ip_network(n) for n in raw]
    brute = {
        (i, j)
        for i in range(len(nets))
        for j in range(i + 1, len(nets))
        if nets[i].version == nets[j].version and nets[i].overlaps(nets[j])  # type: ignore[arg-type]
    }
    assert set(overlapping_pairs(nets)) == brute


def test_six_thousand_networks_validate_without_pairwise_work(tmp_path):
    # Not a timing test (see benchmarks/profile_overlap.py): the sweep must finish a size the
    # all-pairs check needed ~18 million comparisons for, and still find the one overlap.
    networks = tuple(f"{a}.{b}.{c}.0/24" for a in (11, 12) for b in range(30) for c in range(100))
    assert len(networks) == 6000
    assert all(unsafe_reason(parse_network(n)) is None for n in networks)
    started = time.process_time()
    profile = load_profile_file(write_profile(tmp_path, networks=networks))
    assert len(profile.networks) == 6000
    with pytest.raises(ProfileError, match=r"networks\[6000\]\.network: 11\.5\.7\.0/25 overlaps"):
        load_profile_file(write_profile(tmp_path, networks=(*networks, "11.5.7.0/25")))
    assert time.process_time() - started < 60  # a hang guard only; the figure is the benchmark
