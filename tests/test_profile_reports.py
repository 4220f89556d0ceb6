"""Every shipped sender profile works end to end: a report replayed from its own snapshot,
its snippets, and the sources section naming each entry's page."""

from __future__ import annotations

import json

import pytest

from mailcheck.cli import main
from tests.nameserver import LoopbackNameserver
from tests.profile_snapshots import (
    example_zones,
    shipped_profile_ids,
    snapshot_json,
    snapshot_path,
)

PROFILES = shipped_profile_ids()


def test_every_vendor_asked_for_is_shipped():
    assert {"trimble-identity", "okta", "atlassian", "enpass", "docusign", "autodesk"} <= set(
        PROFILES
    )


async def test_profile_snapshots_are_current():
    with LoopbackNameserver(example_zones()) as server:
        for profile_id in PROFILES:
            current = await snapshot_json(server.port, profile_id)
            assert current == snapshot_path(profile_id).read_text(encoding="utf-8"), (
                f"{snapshot_path(profile_id)} is stale: run python -m tests.profile_snapshots"
            )


@pytest.mark.parametrize("profile_id", PROFILES)
def test_report_replays_for_every_profile(profile_id, capsys):
    path = snapshot_path(profile_id)
    argv = ["report", "acme.example", "--snapshot", str(path), "--profile", profile_id]
    code = main([*argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), err
    assert "not in the snapshot" not in out
    document = json.loads(out)
    assert document["profile"]["id"] == profile_id
    checks = {c["check"]: c for c in document["checks"]}
    sources = checks["profile-sources"]
    assert sources["facts"]["as_of"] == "2026-11-22"
    assert all(e["sources"] for e in sources["facts"]["entries"])
    snippets = checks["snippets"]
    has_exact = any(
        "@" in e["entry"] and not e["entry"].startswith("*@") and e["status"] == "current"
        for e in sources["facts"]["entries"]
    )
    if has_exact:
        assert snippets["facts"]["snippets"], snippets
    else:  # Okta documents only IPs: no sender address a snippet could name
        assert [f["code"] for f in snippets["findings"]] == ["SNP001"]


@pytest.mark.parametrize("profile_id", PROFILES)
def test_html_report_for_every_profile(profile_id, tmp_path, capsys):
    out = tmp_path / profile_id
    path = snapshot_path(profile_id)
    code = main(
        [
            "report",
            "acme.example",
            "--snapshot",
            str(path),
            "--profile",
            profile_id,
            "--output",
            str(out),
        ]
    )
    assert code in (0, 1, 2), capsys.readouterr().err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'aria-labelledby="check-profile-sources"' in html


def test_trimble_report_names_pages_and_legacy(capsys):
    path = snapshot_path("trimble-identity")
    main(["report", "acme.example", "--snapshot", str(path), "--format", "json"])
    checks = {c["check"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    sources = checks["profile-sources"]
    codes = [f["code"] for f in sources["findings"]]
    assert codes == ["SRC001", "SRC004", "SRC005"]  # 2025-05-05 is 566 days before 2026-11-22
    entry = next(e for e in sources["facts"]["entries"] if e["entry"] == "184.173.153.253/32")
    assert entry["status"] == "legacy" and entry["sources"] == ["tekla-legacy"]


def test_max_source_age_is_configurable(capsys):
    path = snapshot_path("trimble-identity")
    main(
        [
            "report",
            "acme.example",
            "--snapshot",
            str(path),
            "--format",
            "json",
            "--max-source-age",
            "365",
        ]
    )
    checks = {c["check"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    (old,) = [f for f in checks["profile-sources"]["findings"] if f["code"] == "SRC002"]
    assert old["status"] == "warn" and "566 days old (limit 365)" in old["summary"]


def test_undated_vendor_gets_the_undated_finding(capsys):
    path = snapshot_path("okta")
    main(["report", "acme.example", "--snapshot", str(path), "--profile", "okta", "--json"])
    checks = {c["check"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert [f["code"] for f in checks["profile-sources"]["findings"]] == ["SRC003"]


# Okta documents only IPs and Atlassian only sending domains: no exact address to name.
WITHOUT_ADDRESS = ("okta", "atlassian")


@pytest.mark.parametrize("profile_id", WITHOUT_ADDRESS)
def test_snippets_refuse_a_profile_without_an_exact_address(profile_id, capsys):
    assert main(["snippets", "--profile", profile_id]) == 3
    out, err = capsys.readouterr()
    assert "names no exact production address" in err and "Traceback" not in out + err


@pytest.mark.parametrize("profile_id", [p for p in PROFILES if p not in WITHOUT_ADDRESS])
def test_snippets_for_every_profile_carry_their_sources(profile_id, capsys):
    assert main(["snippets", "--profile", profile_id, "--filter", "postfix", "rspamd"]) == 0
    out = capsys.readouterr().out
    assert "Documented by (each page and its own date" in out
    assert "https://" in out
