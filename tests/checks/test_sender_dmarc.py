"""Sender DMARC check over zone files: policy per sender domain, RFC 7489 differences, and
the per-address prediction (DMARC via SPF or only via DKIM)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.sender_dmarc import SenderDmarcCheck
from mailcheck.report.json import facts_json
from mailcheck.rulefiles.profiles import Environment, Sender, SenderProfile
from tests.nameserver import Fault
from tests.sender_world import resolver_for

PROD = Environment.PRODUCTION
PROFILE = SenderProfile(
    id="dmarc-test",
    name="DMARC test sender",
    vendor="Tests",
    purpose="tests",
    provenance=(),
    senders=tuple(
        Sender(address, PROD)
        for address in (
            "no-reply@account.dmarcwalk.example",
            "*@strict.dmarcwalk.example",
            "info@legacy.dmarcwalk.example",
            "a@testing.dmarcwalk.example",
            "a@typo.dmarcwalk.example",
            "a@unusable.dmarcwalk.example",
            "a@mailgun.net",
        )
    ),
    networks=(),
    envelope_domains=("bounce.dmarcwalk.example",),
)


async def run_check(world, profile=PROFILE, timeout=0.5):
    context = CheckContext("acme.example", resolver_for(world, timeout), profile)
    return await SenderDmarcCheck().run(context)


def by_subject(result):
    out: dict[str, list[tuple[str, Status]]] = {}
    for f in result.findings:
        out.setdefault(f.subject, []).append((f.code, f.status))
    return out


async def test_policies_and_predictions_on_zones(world):
    found = by_subject(await run_check(world))
    assert found["account.dmarcwalk.example"] == [("DMC001", Status.PASS)]
    assert found["no-reply@account.dmarcwalk.example"] == [("DMC011", Status.PASS)]
    assert found["*@strict.dmarcwalk.example"] == [("DMC012", Status.WARN)]  # aspf=s
    assert found["legacy.dmarcwalk.example"] == [
        ("DMC001", Status.PASS),
        ("DMC005", Status.INFO),
    ]
    assert ("DMC008", Status.INFO) in found["testing.dmarcwalk.example"]
    assert ("DMC004", Status.WARN) in found["typo.dmarcwalk.example"]
    assert found["unusable.dmarcwalk.example"] == [("DMC006", Status.WARN)]
    assert found["mailgun.net"] == [("DMC002", Status.WARN)]
    assert "a@mailgun.net" not in found  # no policy: nothing to predict


async def test_pct_zero_is_explained_with_the_rfc_7489_reading(world):
    result = await run_check(world)
    legacy = next(f for f in result.findings if f.code == "DMC005")
    text = " ".join(legacy.evidence)
    assert "pct=0" in text and "RFC 7489" in text and "t=y" in text


async def test_policy_finding_explains_where_and_which_tag(world):
    result = await run_check(world)
    account = next(f for f in result.findings if f.subject == "account.dmarcwalk.example")
    assert "p=quarantine" in account.summary and "tag sp" in account.summary
    assert "Organizational Domain dmarcwalk.example" in account.summary
    assert any("_dmarc.dmarcwalk.example TXT: record" in e for e in account.evidence)
    assert "sp=quarantine: existing subdomains" in account.detail
    assert (
        "adkim=r: DKIM alignment relaxed (same Organizational Domain) (default)" in account.detail
    )


async def test_unknown_envelope_domain_says_spf_alignment_cannot_be_assumed(world):
    profile = replace(PROFILE, envelope_domains=())
    found = by_subject(await run_check(world, profile))
    assert found["no-reply@account.dmarcwalk.example"] == [("DMC013", Status.INFO)]


async def test_timeout_is_an_error_for_domain_and_prediction(world):
    world.faults.set("_dmarc.slow.dmarcwalk.example", Fault.DROP)
    profile = replace(PROFILE, senders=(Sender("a@slow.dmarcwalk.example", PROD),))
    found = by_subject(await run_check(world, profile, timeout=0.3))
    assert found["slow.dmarcwalk.example"] == [("DMC003", Status.ERROR)]
    assert found["a@slow.dmarcwalk.example"] == [("DMC003", Status.ERROR)]


async def test_nonexistent_sender_domain_gets_np(world):
    profile = replace(PROFILE, senders=(Sender("a@ghost.dmarcwalk.example", PROD),))
    result = await run_check(world, profile)
    (domain,) = result.facts.domains
    assert domain.exists is False
    assert (domain.result.applied_tag, domain.result.policy) == ("np", "reject")


@pytest.mark.parametrize("profile", [None])
async def test_without_profile_is_info(profile):
    context = CheckContext("acme.example", resolver_for_nothing(), profile)
    result = await SenderDmarcCheck().run(context)
    assert [(f.code, f.status) for f in result.findings] == [("DMC014", Status.INFO)]


def resolver_for_nothing():
    class _NoDns:
        async def resolve(self, name, rrtype):
            raise AssertionError("no lookup expected")

    return _NoDns()


async def test_facts_are_json_compatible(world):
    result = await run_check(world)
    assert json.loads(json.dumps(facts_json(result.facts)))["profile_id"] == "dmarc-test"
