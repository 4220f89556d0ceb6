"""RFC 9989 Tree Walk over real sockets: zone files served by the loopback nameserver."""

from __future__ import annotations

import pytest

from mailcheck.protocols.dmarc import (
    MAX_QUERIES,
    Discovery,
    Policy,
    StepState,
    discover_policy,
    organizational_domain,
    tree_walk,
)
from tests.nameserver import Fault
from tests.sender_world import resolver_for


@pytest.mark.parametrize(
    ("author", "exists", "policy_domain", "tag", "policy", "org"),
    [
        ("dmarcwalk.example", True, "dmarcwalk.example", "p", Policy.REJECT, "dmarcwalk.example"),
        ("account.dmarcwalk.example", True, "dmarcwalk.example", "sp", Policy.QUARANTINE,
         "dmarcwalk.example"),
        ("ghost.dmarcwalk.example", False, "dmarcwalk.example", "np", Policy.REJECT,
         "dmarcwalk.example"),
        ("mail.own.dmarcwalk.example", True, "own.dmarcwalk.example", "sp", Policy.NONE,
         "own.dmarcwalk.example"),
        ("multi.dmarcwalk.example", True, "dmarcwalk.example", "sp", Policy.QUARANTINE,
         "dmarcwalk.example"),
        ("broken.dmarcwalk.example", True, "dmarcwalk.example", "sp", Policy.QUARANTINE,
         "dmarcwalk.example"),
        ("mail.shop.dmarcpsd.example", True, "dmarcpsd.example", "sp", Policy.QUARANTINE,
         "shop.dmarcpsd.example"),
        ("gone.shop.dmarcpsd.example", False, "dmarcpsd.example", "np", Policy.REJECT,
         "shop.dmarcpsd.example"),
    ],
)  # fmt: skip
async def test_policy_discovery_on_zones(world, author, exists, policy_domain, tag, policy, org):
    walk = await tree_walk(resolver_for(world), author)
    result = discover_policy(walk, exists)
    assert result.state is Discovery.FOUND
    assert (result.policy_domain, result.applied_tag, result.policy) == (
        policy_domain,
        tag,
        policy,
    )
    assert result.organizational_domain == org


async def test_walk_of_a_long_name_sends_at_most_eight_queries(world):
    name = "a.b.c.d.e.f.g.h.i.j.dmarcwalk.example"
    walk = await tree_walk(resolver_for(world), name)
    sent = [q for q in world.counters.by_query() if q[0].startswith("_dmarc.")]
    assert len(sent) == len(walk.steps) == MAX_QUERIES
    assert organizational_domain(walk) == "dmarcwalk.example"


async def test_walk_timeout_is_undecided_not_no_policy(world):
    world.faults.set("_dmarc.slow.dmarcwalk.example", Fault.DROP)
    result = discover_policy(await tree_walk(resolver_for(world, 0.3), "slow.dmarcwalk.example"))
    assert result.state is Discovery.ERROR and "slow" in result.error


async def test_servfail_at_parent_keeps_author_policy_but_org_undecided(world):
    world.faults.set("_dmarc.dmarcwalk.example", Fault.SERVFAIL)
    result = discover_policy(await tree_walk(resolver_for(world), "strict.dmarcwalk.example"))
    assert result.state is Discovery.FOUND and result.policy is Policy.REJECT
    assert result.organizational_domain is None


async def test_multiple_records_are_discarded_and_walk_continues(world):
    walk = await tree_walk(resolver_for(world), "multi.dmarcwalk.example")
    assert [s.state for s in walk.steps[:2]] == [StepState.MULTIPLE, StepState.RECORD]


async def test_no_dmarc_anywhere_is_none(world):
    result = discover_policy(await tree_walk(resolver_for(world), "mailgun.net"))
    assert result.state is Discovery.NONE
