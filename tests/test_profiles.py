"""Sender profiles: the shipped Trimble profile, strict validation, one clear error per defect."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from mailcheck.cli import main
from mailcheck.errors import ProfileError
from mailcheck.profiles import Environment, get_profile, load_profile_file, load_profiles

DATA = Path(__file__).parent / "data" / "rules"

# file -> (key path named in the error, a fragment of the message)
BROKEN = {
    "bad-address.toml": ("senders[0].address", "invalid characters"),
    "bad-cidr.toml": ("networks[0].network", "does not appear to be an IPv4 or IPv6 network"),
    "bad-environment.toml": ("senders[0].environment", "not one of production, staging"),
    "bad-id.toml": ("id", "lower-case letters"),
    "contradictory-environment.toml": ("senders", "contradictory"),
    "duplicate-address.toml": ("senders[1].address", "duplicates senders[0].address"),
    "duplicate-network.toml": ("networks[1].network", "duplicates networks[0].network"),
    "empty.toml": ("", "file is empty"),
    "host-bits.toml": ("networks[0].network", "has host bits set"),
    "invisible-character.toml": ("name", "invisible formatting character"),
    "not-utf8.toml": ("", "not UTF-8"),
    "overlapping-networks.toml": ("networks[1].network", "overlaps networks[0].network"),
    "plain-http-url.toml": ("provenance[0].url", "https://"),
    "quoted-local-part.toml": ("senders[0].address", "Quoting the part before the @-sign"),
    "toml-syntax.toml": ("", "TOML syntax"),
    "undocumented-without-note.toml": ("networks[1].note", "undocumented network"),
    "unknown-key.toml": ("porpose", "unknown key"),
    "unknown-kind.toml": ("kind", "missing or unknown"),
    "wrong-type-bool.toml": ("networks[0].documented", "expected true/false, got a string"),
    "wrong-type.toml": ("format_version", "expected an integer, got a string"),
}


def test_broken_corpus_is_fully_covered():
    assert sorted(p.name for p in (DATA / "broken").glob("*.toml")) == sorted(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validate_rejects_broken_profile_with_one_clear_error(name, capsys):
    key, fragment = BROKEN[name]
    path = DATA / "broken" / name
    assert main(["rules", "validate", str(path)]) == 3
    out, err = capsys.readouterr()
    error_lines = [line for line in out.splitlines() if line.startswith("error")]
    assert len(error_lines) == 1, out
    assert f"{path}: {key + ': ' if key else ''}" in error_lines[0]
    assert fragment in error_lines[0]
    assert "Traceback" not in out + err


def test_validate_shipped_rules_pass(capsys):
    assert main(["rules", "validate", "rules/"]) == 0
    assert "0 with errors" in capsys.readouterr().err


def test_validate_missing_path_is_an_error(capsys):
    assert main(["rules", "validate", "no/such/dir"]) == 3
    assert "no such file or folder" in capsys.readouterr().out


def test_trimble_profile_lists_exactly_the_documented_senders():
    profile = get_profile("trimble-identity")
    assert [(s.address, s.environment) for s in profile.senders] == [
        ("no-reply@account.trimble.com", Environment.PRODUCTION),
        ("noreply@account.trimble.com", Environment.PRODUCTION),
        ("*@account.trimble.com", Environment.PRODUCTION),
        ("no-reply@account.stage.utilities.trimblecloud.com", Environment.STAGING),
        ("noreply@account.stage.identity.trimblecloud.com", Environment.STAGING),
    ]
    assert profile.addresses_case_insensitive


def test_trimble_profile_models_the_range_honestly():
    profile = get_profile("trimble-identity")
    hosts = {str(n.network.network_address) for n in profile.documented_hosts}
    assert hosts == {
        "104.130.122.50",
        "159.135.229.174",
        "69.72.43.9",
        "54.240.27.191",
        "54.240.27.30",
        "54.240.27.31",
    }
    (wide,) = [n for n in profile.networks if not n.documented]
    assert wide.network == ipaddress.ip_network("54.240.27.0/24") and wide.note


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("No-Reply@Account.Trimble.com", "no-reply@account.trimble.com"),
        ("billing@account.trimble.com", "*@account.trimble.com"),
        ("no-reply@trimble.com", None),
        ("@account.trimble.com", None),
        ("x@evil-account.trimble.com", None),
    ],
)
def test_match_address_is_case_insensitive_and_domain_scoped(address, expected):
    match = get_profile("trimble-identity").match_address(address)
    assert (match.address if match else None) == expected


def test_addresses_are_normalised(tmp_path):
    profile = load_profile_file(DATA / "good" / "minimal.toml")
    assert profile.senders[0].address == "alerts@vendor.example"
    assert len(profile.sha256) == 64


def test_idn_domain_is_stored_as_a_label(tmp_path):
    text = (DATA / "good" / "minimal.toml").read_text().replace("Vendor.EXAMPLE", "bücher.example")
    path = tmp_path / "idn.toml"
    path.write_text(text, encoding="utf-8")
    assert load_profile_file(path).senders[0].address == "alerts@xn--bcher-kva.example"


def test_user_rules_dir_adds_profiles_and_rejects_duplicate_ids(tmp_path):
    (tmp_path / "mine.toml").write_bytes((DATA / "good" / "minimal.toml").read_bytes())
    assert set(load_profiles((tmp_path,))) == {"trimble-identity", "minimal-vendor"}
    (tmp_path / "again.toml").write_bytes((DATA / "good" / "minimal.toml").read_bytes())
    with pytest.raises(ProfileError, match="already defined"):
        load_profiles((tmp_path,))


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(ProfileError, match="known: trimble-identity"):
        get_profile("nope")


def test_rules_list_and_show(capsys):
    assert main(["rules", "list"]) == 0
    assert "trimble-identity" in capsys.readouterr().out
    assert main(["rules", "show", "trimble-identity"]) == 0
    out = capsys.readouterr().out
    assert "54.240.27.0/24" in out and "never allowlisted" in out
