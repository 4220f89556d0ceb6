"""Sender profiles: the shipped Trimble profile, strict validation, one clear error per defect."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailcheck.base.errors import ProfileError
from mailcheck.cli import main
from mailcheck.rulefiles.profiles import Environment, get_profile, load_profile_file, load_profiles

DATA = Path(__file__).parent / "data" / "rules"

# file -> (key path named in the error, a fragment of the message)
BROKEN = {
    "bad-address.toml": ("senders[0].address", "invalid characters"),
    "bad-cidr.toml": ("networks[0].network", "does not appear to be an IPv4 or IPv6 network"),
    "bad-environment.toml": ("senders[0].environment", "not one of production, staging"),
    "bad-id.toml": ("id", "lower-case letters"),
    "contradictory-environment.toml": ("senders", "contradictory"),
    "entry-without-source.toml": ("networks[0].sources", "cites no source"),
    "unknown-source.toml": ("senders[0].sources", "'nowhere' is no provenance id"),
    "legacy-cites-current.toml": ("senders[0].legacy", "a current page lists this entry"),
    "superseded-not-legacy.toml": ("networks[0].legacy", "mark it legacy = true"),
    "inferred-without-note.toml": ("senders[0].note", "inferred environment"),
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


def test_trimble_entries_cite_the_pages_that_list_them():
    profile = get_profile("trimble-identity")
    cited = {s.address: s.sources for s in profile.senders}
    cited |= {str(n.network.network_address): n.sources for n in profile.networks}
    assert cited == {
        "*@account.trimble.com": ("tekla-current",),
        "104.130.122.50": ("tekla-current",),
        **dict.fromkeys(
            (
                "no-reply@account.trimble.com",
                "noreply@account.trimble.com",
                "no-reply@account.stage.utilities.trimblecloud.com",
                "noreply@account.stage.identity.trimblecloud.com",
                "159.135.229.174",
                "69.72.43.9",
                "54.240.27.191",
                "54.240.27.30",
                "54.240.27.31",
            ),
            ("design8-nl",),
        ),
    }
    assert all(n.documented for n in profile.networks)  # no "54.240.27.x" range: no page has it
    dates = {p.id: (p.page_date, p.superseded_by) for p in profile.provenance}
    assert dates == {
        "tekla-current": ("2025-05-05", ""),
        "design8-nl": ("2023-01-02", ""),
        "tekla-legacy": ("", "tekla-current"),
    }


def test_trimble_legacy_entries_are_known_but_never_current():
    profile = get_profile("trimble-identity")
    assert {s.address for s in profile.legacy_senders} == {
        "*@trimble.com",
        "*@trimblepaas.com",
        "*@mail.trimblepaas.com",
    }
    assert {str(n.network.network_address) for n in profile.legacy_networks} == {
        "184.173.153.253",
        "184.173.153.218",
        "54.191.127.27",
    }
    assert profile.match_address("x@trimble.com") is None
    assert all(s.sources == ("tekla-legacy",) for s in profile.legacy_senders)


def test_staging_environment_is_marked_inferred():
    profile = get_profile("trimble-identity")
    inferred = {s.address for s in profile.senders if s.environment_inferred}
    assert inferred == {
        "no-reply@account.stage.utilities.trimblecloud.com",
        "noreply@account.stage.identity.trimblecloud.com",
    }


@pytest.mark.parametrize("profile_id", ["okta", "atlassian", "enpass", "docusign", "autodesk"])
def test_vendor_profiles_cite_a_page_for_every_entry(profile_id):
    profile = get_profile(profile_id)
    entries = [*profile.senders, *profile.networks]
    assert entries and all(profile.sources_of(e) for e in entries)
    assert all(p.url.startswith("https://") and p.retrieved for p in profile.provenance)


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
    assert {"trimble-identity", "minimal-vendor"} <= set(load_profiles((tmp_path,)))
    (tmp_path / "again.toml").write_bytes((DATA / "good" / "minimal.toml").read_bytes())
    with pytest.raises(ProfileError, match="already defined"):
        load_profiles((tmp_path,))


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(ProfileError, match="known: atlassian, .*trimble-identity"):
        get_profile("nope")


def test_rules_list_and_show(capsys):
    assert main(["rules", "list"]) == 0
    assert "trimble-identity" in capsys.readouterr().out
    assert main(["rules", "show", "trimble-identity"]) == 0
    out = capsys.readouterr().out
    assert "from [tekla-current] page dated 2025-05-05" in out
    assert "legacy (listed only by superseded pages; never allowlisted: remove)" in out
    assert "184.173.153.253/32" in out and "(environment inferred)" in out


def test_rules_list_shows_vendor_purpose_counts_and_dates(capsys):
    assert main(["rules", "list"]) == 0
    out = capsys.readouterr().out
    assert "trimble-identity  Trimble: Trimble Identity" in out
    assert "entries: 5 senders, 6 networks, 6 legacy" in out
    assert "sources: tekla-current 2025-05-05; design8-nl 2023-01-02; tekla-legacy undated" in out
    assert "okta  Okta:" in out and "entries: 0 senders, 15 networks, 0 legacy" in out
