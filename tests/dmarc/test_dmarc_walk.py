"""RFC 9989 DNS Tree Walk: query bound, psd=y/psd=n, errors, policy selection, alignment."""

from __future__ import annotations

import pytest

from mailcheck.dns.interface import RRType
from mailcheck.protocols.dmarc import (
    MAX_QUERIES,
    Alignment,
    Discovery,
    Policy,
    Route,
    discover_policy,
    is_aligned,
    org_domains_of,
    organizational_domain,
    predict,
    tree_walk,
    walk_all,
    walk_targets,
)
from tests.dictresolver import DictResolver, txt_zone


def test_walk_targets_long_name_is_shortened_to_seven_labels():
    name = "a.b.c.d.e.f.g.h.i.j.mail.example.com"
    assert walk_targets(name) == (
        name,
        "g.h.i.j.mail.example.com",
        "h.i.j.mail.example.com",
        "i.j.mail.example.com",
        "j.mail.example.com",
        "mail.example.com",
        "example.com",
        "com",
    )


@pytest.mark.parametrize("labels", [1, 2, 7, 8, 9, 30, 120])
async def test_walk_never_exceeds_eight_queries(labels):
    name = ".".join(["x"] * (labels - 1) + ["example"])
    resolver = DictResolver({})
    walk = await tree_walk(resolver, name)
    assert len(resolver.queries) == len(walk.steps) <= MAX_QUERIES
    assert len(resolver.queries) == min(labels, MAX_QUERIES)


async def test_org_domain_is_the_shortest_name_with_a_record():
    zone = {
        "_dmarc.mail.example.com": ["v=DMARC1; p=none"],
        "_dmarc.example.com": ["v=DMARC1; p=reject"],
    }
    walk = await tree_walk(DictResolver(txt_zone(zone)), "a.mail.example.com")
    assert organizational_domain(walk) == "example.com"
    result = discover_policy(walk)
    assert (result.policy_domain, result.applied_tag) == ("example.com", "sp")


async def test_psd_n_stops_the_walk_and_names_the_org_domain():
    zone = {"_dmarc.mail.example.com": ["v=DMARC1; p=quarantine; psd=n"]}
    resolver = DictResolver(txt_zone(zone))
    walk = await tree_walk(resolver, "a.mail.example.com")
    assert organizational_domain(walk) == "mail.example.com"
    assert [n for n, _ in resolver.queries] == [
        "_dmarc.a.mail.example.com",
        "_dmarc.mail.example.com",
    ]


async def test_psd_y_makes_the_org_domain_one_label_below():
    zone = {"_dmarc.com": ["v=DMARC1; p=reject; np=reject; psd=y"]}
    walk = await tree_walk(DictResolver(txt_zone(zone)), "a.mail.example.com")
    assert organizational_domain(walk) == "example.com"
    result = discover_policy(walk, author_exists=False)
    assert (result.policy_domain, result.applied_tag, result.policy) == ("com", "np", Policy.REJECT)


async def test_record_at_author_domain_uses_p_even_below_an_org_record():
    zone = {
        "_dmarc.mail.example.com": ["v=DMARC1; p=reject; sp=none"],
        "_dmarc.example.com": ["v=DMARC1; p=none"],
    }
    result = discover_policy(await tree_walk(DictResolver(txt_zone(zone)), "mail.example.com"))
    assert (result.policy_domain, result.applied_tag, result.policy) == (
        "mail.example.com",
        "p",
        Policy.REJECT,
    )
    assert result.organizational_domain == "example.com"


@pytest.mark.parametrize("kind", ["timeout", "servfail"])
async def test_error_mid_walk_is_undecided_not_no_policy(kind):
    resolver = DictResolver({}, failing={"_dmarc.example.com": kind})
    walk = await tree_walk(resolver, "mail.example.com")
    assert organizational_domain(walk) is None
    result = discover_policy(walk)
    assert result.state is Discovery.ERROR and result.error


async def test_author_record_with_later_error_keeps_policy_but_org_undecided():
    zone = {"_dmarc.mail.example.com": ["v=DMARC1; p=reject"]}
    resolver = DictResolver(txt_zone(zone), failing={"_dmarc.example.com": "timeout"})
    result = discover_policy(await tree_walk(resolver, "mail.example.com"))
    assert result.state is Discovery.FOUND and result.policy is Policy.REJECT
    assert result.organizational_domain is None and result.error


async def test_unusable_record_disables_dmarc():
    zone = {"_dmarc.example.com": ["v=DMARC1; p=bogus"]}
    result = discover_policy(await tree_walk(DictResolver(txt_zone(zone)), "example.com"))
    assert result.state is Discovery.UNUSABLE and result.policy is None


def test_alignment_strict_and_relaxed():
    orgs = {"a.example.com": "example.com", "example.com": "example.com", "x.example": None}
    assert is_aligned("example.com", "a.example.com", Alignment.RELAXED, orgs) is True
    assert is_aligned("example.com", "a.example.com", Alignment.STRICT, orgs) is False
    assert is_aligned("EXAMPLE.com.", "example.com", Alignment.STRICT, orgs) is True
    assert is_aligned("example.com", "x.example", Alignment.RELAXED, orgs) is None


async def test_prediction_only_dkim_when_envelope_domain_belongs_to_the_esp():
    zone = {"_dmarc.trimble.example": ["v=DMARC1; p=reject"]}
    resolver = DictResolver(txt_zone(zone))
    walks = await walk_all(
        resolver, ["account.trimble.example", "mailgun.example", "mg.trimble.example"]
    )
    result = discover_policy(walks["account.trimble.example"])
    orgs = org_domains_of(walks)
    esp = predict("a@account.trimble.example", result, ["mailgun.example"], [], orgs)
    assert (esp.spf, esp.dkim) == (Route.NOT_ALIGNED, Route.UNKNOWN)
    own = predict("a@account.trimble.example", result, ["mg.trimble.example"], [], orgs)
    assert own.spf is Route.ALIGNED and own.aligned_envelope == ("mg.trimble.example",)


async def test_walk_queries_txt_at_underscore_dmarc_only():
    resolver = DictResolver({})
    await tree_walk(resolver, "example.com")
    assert resolver.queries == [("_dmarc.example.com", RRType.TXT), ("_dmarc.com", RRType.TXT)]
