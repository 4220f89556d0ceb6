"""The "tell the sender" section: built from a real sender run over the loopback nameserver
(``tellsender.example``), in the text of ``mailcheck sender``, in report.json (schema-valid),
and in the HTML report in headless Chromium, where hostile DNS text stays inert."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
from reportdata import PAYLOADS
from test_browser import open_watched, require_browser

from mailcheck.app.resolver import DnsOptions, open_resolver
from mailcheck.app.sender import build_sender_report
from mailcheck.cli import main
from mailcheck.dns.live import Nameserver
from mailcheck.facts.sender_fixes import quoted_strings
from mailcheck.report import bundle
from mailcheck.report.json import JsonRenderer
from mailcheck.report.tell_sender import tell_the_sender
from mailcheck.rulefiles.profiles import load_profile_file

PROFILE = """\
kind = "sender-profile"
format_version = 1
id = "tell-vendor"
name = "Tell Vendor"
vendor = "Example Vendor"
purpose = "A sender whose DNS needs fixing."

[[provenance]]
title = "Vendor note"
url = "https://vendor.example/note"
retrieved = 2026-12-01

[[senders]]
address = "noreply@several.tellsender.example"
environment = "production"

[[senders]]
address = "noreply@ext2.tellsender.example"
environment = "production"

[[networks]]
network = "192.0.2.1"
"""
MERGED = (
    'several.tellsender.example. 3600 IN TXT "v=spf1 ip4:192.0.2.1 '
    'include:i1.spflimits.example -all"'
)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "tell.toml").write_text(PROFILE, encoding="utf-8")
    return folder


async def sender_report(world, rules: Path):
    options = DnsOptions(None, (Nameserver(*world.address),), 0.5, 0)
    resolver = open_resolver(options)
    profile = load_profile_file(rules / "tell.toml")
    report = await build_sender_report(resolver, profile)
    return report, resolver.evidence().to_json()


async def test_fixes_stand_alone_with_clause_record_and_effect(world, rules):
    report, _ = await sender_report(world, rules)
    section = tell_the_sender(report)
    assert section is not None and section.sender == "Tell Vendor"
    by_code = {fix.code: fix for fix in section.fixes}
    assert set(by_code) >= {"SPF013", "SPF015", "DMC015", "DMC016"}
    merged = by_code["SPF015"]
    assert merged.clause == "RFC 7208 §4.5" and merged.zone_line == MERGED
    assert "instead of permerror" in merged.effect
    ignored = by_code["DMC015"]
    assert ignored.name == "_dmarc.several.tellsender.example"
    assert ignored.record.startswith("v=DMARC1; p=reject; rua=mailto:")
    redirect = by_code["SPF013"]
    assert redirect.record == "v=spf1 ip4:192.0.2.1 ~all" and redirect.clause == "RFC 7208 §6.1"
    unauthorised = by_code["DMC016"]
    assert unauthorised.name == "ext2.tellsender.example._report._dmarc.evil.example"
    assert unauthorised.record == "v=DMARC1"
    for fix in section.fixes:  # forwarded as is: nothing about the admin's own domain
        assert "acme" not in json.dumps(fix.__dict__)


def test_long_records_are_split_into_quoted_strings():
    strings = quoted_strings('v=spf1 "x" ' + "a" * 300)
    assert strings[0].startswith('"v=spf1 \\"x\\" ') and len(strings) == 2


def test_mailcheck_sender_prints_the_section(world, rules, capsys):
    host, port = world.address
    argv = ["sender", "tell-vendor", "--rules", str(rules), "--nameserver", f"{host}:{port}"]
    main(argv)
    out = capsys.readouterr().out
    assert "Tell the sender: for the postmaster of Tell Vendor" in out
    assert MERGED in out


async def test_json_carries_the_section_and_validates(world, rules):
    report, _ = await sender_report(world, rules)
    data = json.loads(JsonRenderer().render(report))
    schema_path = Path(__file__).parents[2] / "mailcheck" / "report" / "schema.json"
    jsonschema.Draft202012Validator(json.loads(schema_path.read_text())).validate(data)
    zone_lines = [fix["zone_line"] for fix in data["tell_the_sender"]["fixes"]]
    assert MERGED in zone_lines


@pytest.fixture(scope="module")
def browser():
    sync_api = require_browser()
    from test_browser import ARGS, CHROMIUM, TIMEOUT_MS, WATCH_CSP

    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            "", executable_path=CHROMIUM, args=ARGS, headless=True, timeout=TIMEOUT_MS
        )
        try:
            context.add_init_script(WATCH_CSP)
            yield context
        finally:
            context.close()


def test_section_in_chromium_is_inert_text(world, rules, tmp_path, browser, artifacts):
    with ThreadPoolExecutor(1) as pool:  # Playwright runs a loop in this thread already
        report, evidence = pool.submit(asyncio.run, sender_report(world, rules)).result(60)
    html = bundle.write_bundle(report, evidence, tmp_path / "out")
    watched = open_watched(browser, html)
    page = watched.page
    section = page.locator("#tell-the-sender")
    assert section.is_visible()
    text = section.inner_text()
    assert "Tell the sender" in text and MERGED in text
    for payload in (PAYLOADS[0], 'mailto:\\"><img', "onerror=alert(1)>@x.example"):
        assert payload in text
    assert section.locator("a, img, script").count() == 0
    body = page.locator("body").inner_text()
    assert "javascript:alert(1)" in body
    assert page.locator("a[href^='javascript'], img").count() == 0
    section.screenshot(path=str(artifacts / "report-tell-the-sender.png"))
    watched.assert_quiet()
    page.close()
