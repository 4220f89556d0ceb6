"""Shared infrastructure: services as rules data, attribution decided from their live SPF."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailcheck.app.rulebook import validate_paths
from mailcheck.base.errors import ProfileError
from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.shared_infra import SharedInfraCheck, evaluate, owners_of
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.facts.shared_infra import IpOwner, ServiceSpf, SharedInfraFacts
from mailcheck.rulefiles.loader import read_rules_file
from mailcheck.rulefiles.profiles import get_profile
from mailcheck.rulefiles.services import SharedService, load_services, services_from_document
from tests.nameserver import Fault

MAILGUN = SharedService("mailgun", "Mailgun", ("mailgun.org",))
SES = SharedService("amazon-ses", "Amazon SES", ("amazonses.com",))
GHOST = SharedService("ghost", "Ghost Mail", ("ghost.spftest.example",))


@pytest.fixture
def resolver(nameserver):
    return LiveResolver(ResolverConfig((Nameserver(*nameserver.address),), timeout=0.5, retries=0))


async def run(resolver, services):
    check = SharedInfraCheck(services)
    return await check.run(CheckContext("acme.example", resolver, get_profile("trimble-identity")))


async def test_listed_ips_attributed_to_mailgun_and_ses_from_live_spf(resolver):
    result = await run(resolver, (MAILGUN, SES))
    owners = {o.network: o.services for o in result.facts.owners}
    assert owners["104.130.122.50/32"] == ("Mailgun",)
    assert owners["159.135.229.174/32"] == ("Mailgun",)
    assert owners["69.72.43.9/32"] == ("Mailgun",)
    assert owners["54.240.27.31/32"] == ("Amazon SES",)
    assert "54.240.27.0/24" not in owners  # no Trimble page writes "54.240.27.x"
    shared = [f for f in result.findings if f.code == "SHR001"]
    assert len(shared) == 6 and all(f.status is Status.WARN for f in shared)
    assert "ip4:104.130.122.0/23" in shared[0].evidence[0]


async def test_owners_of_answers_for_any_network(resolver):
    owners = await owners_of(("54.240.27.0/24", "192.0.2.1/32"), resolver, (MAILGUN, SES))
    assert [o.services for o in owners] == [("Amazon SES",), ()]


async def test_unknown_service_domain_does_not_attribute(resolver):
    result = await run(resolver, (GHOST,))
    assert {f.code for f in result.findings} == {"SHR002", "SHR004"}


async def test_service_lookup_failure_leaves_unattributed_ip_undecided(resolver, nameserver):
    nameserver.faults.set("amazonses.com", Fault.SERVFAIL)
    result = await run(resolver, (MAILGUN, SES))
    by_subject = {f.subject: f for f in result.findings}
    assert by_subject["104.130.122.50/32"].code == "SHR001"
    assert by_subject["54.240.27.31/32"].code == "SHR003"
    assert by_subject["54.240.27.31/32"].status is Status.ERROR


def test_evaluate_literal_facts():
    facts = SharedInfraFacts(
        "p",
        (ServiceSpf("x", "X Mail", ("x.example",), 1),),
        (
            IpOwner("192.0.2.1/32", True, ("X Mail",), ("x.example: ip4:192.0.2.0/24",)),
            IpOwner("198.51.100.1/32", True),
        ),
    )
    assert [(f.code, f.status) for f in evaluate(facts)] == [
        ("SHR001", Status.WARN),
        ("SHR002", Status.INFO),
    ]


async def test_skips_without_profile():
    result = await SharedInfraCheck(()).run(CheckContext("acme.example", None))  # type: ignore[arg-type]
    assert [f.code for f in result.findings] == ["SHR005"]


def test_shipped_services_file_is_valid_and_has_the_big_senders():
    names = {s.id for s in load_services()}
    assert {"amazon-ses", "mailgun", "sendgrid", "sparkpost", "postmark", "microsoft-365"} <= names
    assert all(path_error is None for _path, path_error in validate_paths([Path("rules")]))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[services]]\nid = "x"\nname = "X"\nspf_includes = []\n', "at least one"),
        ('[[services]]\nid = "x"\nname = "X"\nspf_includes = ["not a domain"]\n', "not a valid"),
        ('[[services]]\nid = "X!"\nname = "X"\nspf_includes = ["x.example"]\n', "lower-case"),
        (
            '[[services]]\nid = "x"\nname = "X"\nspf_includes = ["x.example"]\nranges = []\n',
            "unknown key",
        ),
    ],
)
def test_bad_services_file_names_the_problem(tmp_path, body, message):
    path = tmp_path / "s.toml"
    path.write_text(f'kind = "shared-infrastructure"\nformat_version = 1\n{body}', encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        services_from_document(read_rules_file(path))
