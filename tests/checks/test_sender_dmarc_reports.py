"""Sender DMARC: records receivers ignore say why, and external report destinations are
checked (RFC 7489 §7.1), over the loopback nameserver serving ``dmarcrpt.example`` and
``rptdest.example``."""

from __future__ import annotations

import pytest

from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.sender_dmarc import SenderDmarcCheck
from mailcheck.checks.sender_dmarc_reports import ignored_reason
from mailcheck.rulefiles.profiles import Environment, Sender, SenderProfile
from tests.nameserver import Fault
from tests.sender_world import resolver_for


def profile(*domains: str) -> SenderProfile:
    senders = tuple(Sender(f"noreply@{d}", Environment.PRODUCTION) for d in domains)
    return SenderProfile("p", "P", "V", "test", (), senders, ())


async def findings(world, domain: str, timeout: float = 0.5):
    context = CheckContext("acme.example", resolver_for(world, timeout), profile(domain))
    return (await SenderDmarcCheck().run(context)).findings


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("miscase", "must be exactly v=DMARC1"),
        ("notfirst", "not the first tag"),
        ("nosemi", "not separated by ';'"),
    ],
)
async def test_ignored_record_says_why(world, label, why):
    found = await findings(world, f"{label}.dmarcrpt.example")
    codes = [f.code for f in found]
    assert "DMC002" in codes  # no policy applies: the ignored record explains it
    (ignored,) = [f for f in found if f.code == "DMC015"]
    assert ignored.status is Status.WARN and why in ignored.summary
    assert ignored.summary.startswith(f"_dmarc.{label}.dmarcrpt.example has a DMARC record")


@pytest.mark.parametrize("text", ["v=spf1 -all", "google-site-verification=abc", ""])
def test_unrelated_txt_at_dmarc_is_not_called_ignored_dmarc(text):
    assert ignored_reason(text) == ""


async def test_external_destinations_are_checked(world):
    found = await findings(world, "ext.dmarcrpt.example")
    by_code = {f.code: f for f in found if f.code in ("DMC016", "DMC017", "DMC018")}
    assert set(by_code) == {"DMC016", "DMC018"}
    missing = by_code["DMC016"]
    assert "no.rptdest.example" in missing.summary and "§7.1" in missing.summary
    assert "ext.dmarcrpt.example._report._dmarc.no.rptdest.example" in missing.summary
    assert by_code["DMC018"].evidence == ("https://collector.rptdest.example/r",)
    assert not any("ok.rptdest.example" in f.summary for f in found)  # it authorised them


async def test_destination_lookup_failure_is_not_a_verdict(world):
    world.faults.set("ext.dmarcrpt.example._report._dmarc.no.rptdest.example", Fault.SERVFAIL)
    found = await findings(world, "ext.dmarcrpt.example")
    assert [f.status for f in found if f.code == "DMC017"] == [Status.INFO]
    assert not any(f.code == "DMC016" for f in found)
