"""Snippet facts read from a report's shared-infrastructure check (its typed facts)."""

from __future__ import annotations

from mailcheck.base.model import CheckResult, Report
from mailcheck.facts.changes import ChangesFacts
from mailcheck.facts.shared_infra import IpOwner, SharedInfraFacts
from mailcheck.snippets.facts import facts_from_report, shared_ips_from_facts


def _owner(network, services=(), undecided=(), documented=True):
    return IpOwner(network, documented, tuple(services), (), tuple(undecided))


def _facts(*owners: IpOwner) -> SharedInfraFacts:
    return SharedInfraFacts("p", (), owners)


def _report(*results):
    return Report("0", "2026-11-22T00:00:00Z", "example.com", None, tuple(results))


def test_shared_hosts_are_named_and_dedicated_ones_left_out():
    facts = _facts(
        _owner("192.0.2.10/32", ["Amazon SES"]),
        _owner("192.0.2.11/32"),
        _owner("192.0.2.0/24", ["Amazon SES"], documented=False),
    )
    assert shared_ips_from_facts(facts) == {"192.0.2.10": "Amazon SES"}


def test_an_undecided_host_means_not_checked():
    facts = _facts(_owner("192.0.2.10/32", undecided=["Mailgun"]))
    assert shared_ips_from_facts(facts) is None


def test_report_without_the_check_gives_unchecked_facts():
    facts = facts_from_report(_report(), provider="mimecast")
    assert facts.shared_ips is None and facts.provider == "mimecast"


def test_report_with_the_check():
    facts = _facts(_owner("198.51.100.7/32", ["Mailgun"]))
    check = CheckResult("shared-infrastructure", "t", (), facts)
    facts_read = facts_from_report(_report(check))
    assert dict(facts_read.shared_ips or {}) == {"198.51.100.7": "Mailgun"}


def test_reads_the_real_check_facts_shape():
    facts = _facts(
        IpOwner("54.240.27.30/32", True, ("Amazon SES",)),
        IpOwner("54.240.27.0/24", False, ("Amazon SES",)),
        IpOwner("192.0.2.10/32", True),
    )
    check = CheckResult("shared-infrastructure", "t", (), facts)
    assert dict(facts_from_report(_report(check)).shared_ips or {}) == {
        "54.240.27.30": "Amazon SES"
    }


def test_facts_of_another_kind_give_unchecked_facts():
    check = CheckResult("shared-infrastructure", "t", (), ChangesFacts("previous", ""))
    assert facts_from_report(_report(check)).shared_ips is None
