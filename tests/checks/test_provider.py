"""Filtering-provider detection: the shipped signature table, matching, findings, rules file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailcheck.app.rulebook import validate_paths
from mailcheck.base.errors import ProfileError
from mailcheck.base.model import Status
from mailcheck.checks.interface import CheckContext
from mailcheck.checks.provider import ProviderCheck, detect, evaluate
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.facts.mx import MxFacts, MxHost
from mailcheck.facts.provider import ProviderFacts
from mailcheck.rulefiles.providers import SELF_HOSTED, load_providers
from mailcheck.snippets import provider_filter
from tests.nameserver import Fault

PROVIDERS = load_providers()

# (MX host names as in tests/data/zones/recv.example.zone, expected provider id)
CASES = {
    "m365": (("m365-recv-example.mail.protection.outlook.com",), "microsoft-365"),
    "google": (("aspmx.l.google.com", "alt1.aspmx.l.google.com"), "google-workspace"),
    "proofpoint": (("mx0a-00112233.pphosted.com", "mx0b-00112233.pphosted.com"), "proofpoint"),
    "ppe": (("mx1-us1.ppe-hosted.com", "mx2-us1.ppe-hosted.com"), "proofpoint-essentials"),
    "mimecast": (("eu-smtp-inbound-1.mimecast.com",), "mimecast"),
    "barracuda": (("d123456a.ess.barracudanetworks.com",), "barracuda"),
    "cisco": (("mx1.hc1234-56.iphmx.com", "mx2.hc1234-56.iphmx.com"), "cisco-secure-email"),
    "sophos": (("mx-01-eu-central-1.prod.hydra.sophos.com",), "sophos"),
    "trend": (("in.tmes.trendmicro.eu",), "trend-micro"),
    "hornet": (("mx01.hornetsecurity.com", "mx02.hornetsecurity.com"), "hornetsecurity"),
    "forcepoint": (("cluster-a.mailcontrol.com", "cluster-a.eu.mailcontrol.com"), "forcepoint"),
}


def mx_facts(*hosts: MxHost) -> MxFacts:
    return MxFacts("d.example", "mx", tuple(f"{h.preference} {h.exchange}" for h in hosts), hosts)


@pytest.mark.parametrize(("names", "expected"), CASES.values(), ids=list(CASES))
def test_detect_each_provider_by_mx_name(names, expected):
    hosts = tuple(MxHost(n, 10 * i, ("198.51.100.1",)) for i, n in enumerate(names))
    facts = detect(PROVIDERS, mx_facts(*hosts))
    assert (facts.provider, facts.providers) == (expected, (expected,))
    assert all(h.method == "name" for h in facts.hosts)
    [finding] = evaluate(facts)
    assert (finding.code, finding.status) == ("PRV001", Status.INFO)


def test_every_shipped_provider_has_a_test_case():
    assert {p.id for p in PROVIDERS} == {expected for _, expected in CASES.values()}


def test_suffix_matches_whole_labels_only():
    facts = detect(PROVIDERS, mx_facts(MxHost("evilpphosted.com", 10, ("198.51.100.1",))))
    assert facts.provider == SELF_HOSTED


def test_mixed_providers_are_reported_most_preferred_first():
    facts = detect(
        PROVIDERS,
        mx_facts(
            MxHost("eu-smtp-inbound-1.mimecast.com", 20, ("198.51.100.30",)),
            MxHost("x.mail.protection.outlook.com", 10, ("52.101.68.31",)),
        ),
    )
    assert facts.provider == "microsoft-365"
    assert facts.providers == ("microsoft-365", "mimecast")
    [finding] = evaluate(facts)
    assert (finding.code, finding.status) == ("PRV002", Status.WARN)
    assert finding.evidence[0].startswith("MX 10 x.mail.protection.outlook.com: microsoft-365")


def test_vanity_name_matched_by_cname_target():
    host = MxHost(
        "mx.d.example", 10, ("198.51.100.30",), cnames=("eu-smtp-inbound-1.mimecast.com",)
    )
    facts = detect(PROVIDERS, mx_facts(host))
    assert (facts.provider, facts.hosts[0].method) == ("mimecast", "name")
    assert facts.hosts[0].evidence == "eu-smtp-inbound-1.mimecast.com ends in mimecast.com"


def test_vanity_name_matched_by_address_range():
    facts = detect(PROVIDERS, mx_facts(MxHost("mx.vanity.example", 10, ("40.107.22.33",))))
    assert (facts.provider, facts.hosts[0].method) == ("microsoft-365", "address")
    assert "40.107.0.0/16" in facts.hosts[0].evidence


def test_unknown_mx_is_self_hosted():
    facts = detect(PROVIDERS, mx_facts(MxHost("mail.d.example", 10, ("203.0.113.25",))))
    assert facts.provider == SELF_HOSTED
    assert facts.provider_name == "self-hosted or unknown"
    assert [(f.code, f.status) for f in evaluate(facts)] == [("PRV003", Status.INFO)]


def test_mx_lookup_error_is_an_error_finding_not_self_hosted():
    facts = detect(PROVIDERS, MxFacts("d.example", "error", error="d.example/MX: timed out"))
    assert facts.provider == ""
    assert [(f.code, f.status) for f in evaluate(facts)] == [("PRV004", Status.ERROR)]


@pytest.mark.parametrize("state", ["null", "none", "nxdomain"])
def test_no_mx_host_means_no_provider_finding(state):
    assert evaluate(detect(PROVIDERS, MxFacts("d.example", state))) == ()
    assert evaluate(ProviderFacts("d.example", state)) == ()


def test_shipped_provider_rules_validate():
    [(_, error)] = validate_paths([Path("rules/providers.toml")])
    assert error is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[providers]]\nid = "x"\nname = "X"\nmx_suffixes = ["not a suffix"]\n', "not a domain"),
        (
            '[[providers]]\nid = "Bad Id"\nname = "X"\nmx_suffixes = ["x.example"]\n',
            r"providers\[0\]\.id",
        ),
        ('[[providers]]\nid = "x"\nname = "X"\nmx_suffixes = []\n', "at least one suffix"),
        (
            '[[providers]]\nid = "x"\nname = "X"\nmx_suffixes = ["x.example"]\n'
            'networks = ["10.0.0.1/8"]\n',
            "host bits",
        ),
        (
            '[[providers]]\nid = "x"\nname = "X"\nmx_suffixes = ["x.example"]\ncolour = 1\n',
            "unknown key",
        ),
        (
            '[[providers]]\nid = "x"\nname = "X"\nmx_suffixes = ["x.example"]\n'
            '[[providers]]\nid = "x"\nname = "Y"\nmx_suffixes = ["y.example"]\n',
            "defined twice",
        ),
        (
            '[[providers]]\nid = "x"\nname = "X"\nmx_suffixes = ["x.example"]\n'
            '[[providers]]\nid = "y"\nname = "Y"\nmx_suffixes = ["x.example"]\n',
            "claimed by two",
        ),
    ],
)
def test_bad_provider_rules_name_the_problem(tmp_path, body, message):
    path = tmp_path / "providers.toml"
    path.write_text(f'kind = "provider-signatures"\nformat_version = 1\n{body}')
    with pytest.raises(ProfileError, match=message):
        load_providers(path)


@pytest.fixture
def resolver(nameserver):
    host, port = nameserver.address
    return LiveResolver(ResolverConfig((Nameserver(host, port),), timeout=0.5, retries=0))


ZONE_CASES = {label: expected for label, (_, expected) in CASES.items()}


@pytest.mark.parametrize(("label", "expected"), ZONE_CASES.items(), ids=list(ZONE_CASES))
async def test_provider_check_over_dns_one_zone_per_provider(resolver, label, expected):
    result = await ProviderCheck().run(CheckContext(f"{label}.recv.example", resolver))
    assert isinstance(result.facts, ProviderFacts)
    assert result.facts.provider == expected
    assert [(f.code, f.status) for f in result.findings] == [("PRV001", Status.INFO)]


@pytest.mark.parametrize(
    ("label", "provider", "providers", "code"),
    [
        ("mixed", "microsoft-365", ("microsoft-365", "mimecast"), "PRV002"),
        ("vanity", "microsoft-365", ("microsoft-365",), "PRV001"),
        ("selfhosted", SELF_HOSTED, (SELF_HOSTED,), "PRV003"),
    ],
)
async def test_provider_check_over_dns_mixed_vanity_unknown(
    resolver, label, provider, providers, code
):
    result = await ProviderCheck().run(CheckContext(f"{label}.recv.example", resolver))
    assert isinstance(result.facts, ProviderFacts)
    assert (result.facts.provider, result.facts.providers) == (provider, providers)
    assert [f.code for f in result.findings] == [code]


async def test_provider_check_dns_timeout_is_error(resolver, nameserver):
    nameserver.faults.set("m365.recv.example", Fault.DROP)
    result = await ProviderCheck().run(CheckContext("m365.recv.example", resolver))
    assert [(f.code, f.status) for f in result.findings] == [("PRV004", Status.ERROR)]


# Services mailcheck detects but writes no snippet for (yet): the report lists every snippet.
NO_SNIPPET = {"hornetsecurity", "forcepoint"}


@pytest.mark.parametrize("provider", [p.id for p in PROVIDERS])
def test_every_detected_provider_maps_to_its_snippet(provider):
    if provider in NO_SNIPPET:
        assert provider_filter(provider) is None
    else:
        assert provider_filter(provider) is not None
    assert provider_filter(SELF_HOSTED) is None
