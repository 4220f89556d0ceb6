"""Each product's documented hard limits, enforced by the snippet that targets it."""

from __future__ import annotations

import dataclasses
import ipaddress
import re

import pytest

from mailcheck.base.errors import SnippetError
from mailcheck.rulefiles.profiles import Environment, Sender, SourceNetwork
from mailcheck.snippets import (
    FilterKind,
    SnippetFacts,
    SnippetOptions,
    exchange_online,
    google_workspace,
    sophos,
)

IPS = SnippetOptions(include_ip_allowlist=True)


def _with_addresses(profile, count):
    senders = tuple(
        Sender(f"user{i:05d}@snipsender.example", Environment.PRODUCTION) for i in range(count)
    )
    return dataclasses.replace(profile, senders=senders)


def _with_hosts(profile, *hosts):
    nets = tuple(SourceNetwork(ipaddress.ip_network(h)) for h in hosts)
    return dataclasses.replace(profile, networks=nets)


def _render(kind, profile, options=IPS):
    return kind.snippet().render(profile, options, SnippetFacts())


def test_m365_tabl_allow_entries_cannot_be_permanent(snipsender):
    text = _render(FilterKind.MICROSOFT365, snipsender).text
    assert "-NoExpiration" not in text
    assert re.search(
        r"New-TenantAllowBlockListItems -ListType Sender -Allow .* -RemoveAfter 45 ", text
    )


def test_m365_tabl_batches_of_twenty(snipsender):
    text = _render(FilterKind.MICROSOFT365, _with_addresses(snipsender, 41)).text
    lines = [ln for ln in text.splitlines() if ln.startswith("New-TenantAllowBlockListItems")]
    assert [ln.count("@snipsender.example") for ln in lines] == [20, 20, 1]


def test_m365_tabl_cap_is_enforced(snipsender):
    profile = _with_addresses(snipsender, exchange_online.TABL_ALLOW_CAP + 1)
    with pytest.raises(SnippetError, match="Tenant Allow/Block List cap"):
        _render(FilterKind.MICROSOFT365, profile)


def test_m365_ip_allow_list_is_additive_ipv4_host_entries(snipsender):
    profile = _with_hosts(snipsender, "192.0.2.10", "2001:db8::10")
    out = _render(FilterKind.MICROSOFT365, profile)
    line = next(ln for ln in out.text.splitlines() if ln.startswith("Set-HostedConnection"))
    assert line.endswith("-IPAllowList @{Add='192.0.2.10/32'}")
    assert "2001:db8" not in line
    assert "IPv6 2001:db8::10" in out.text  # said why it is missing


def test_m365_ip_allow_list_cap_is_enforced(snipsender):
    hosts = [
        # public addresses: a private one never reaches a snippet (issue 15 item 3)
        str(ipaddress.IPv4Address("20.0.0.0") + i)
        for i in range(exchange_online.IP_ALLOW_LIST_CAP + 1)
    ]
    with pytest.raises(SnippetError, match="IP Allow List cap"):
        _render(FilterKind.MICROSOFT365, _with_hosts(snipsender, *hosts))


def test_m365_prefix_lengths_stay_within_24_to_32(snipsender):
    text = _render(FilterKind.MICROSOFT365, snipsender).text
    for prefix in re.findall(r"\d+\.\d+\.\d+\.\d+/(\d+)", text):
        assert 24 <= int(prefix) <= 32


def test_m365_rule_requires_dmarc_pass_for_the_from_domain(snipsender):
    text = _render(FilterKind.MICROSOFT365, snipsender, SnippetOptions()).text
    assert "-SetSCL -1" in text
    assert "-SenderDomainIs 'snipsender.example'" in text
    assert r"dmarc=pass[^;]*\bheader\.from=snipsender\.example" in text
    assert "-Mode Audit" in text


def test_google_list_size_is_enforced(snipsender, monkeypatch):
    monkeypatch.setattr(google_workspace, "LIST_CHARACTERS", 40)
    with pytest.raises(SnippetError, match="characters"):
        _render(FilterKind.GOOGLE_WORKSPACE, _with_addresses(snipsender, 3))


def test_sophos_entry_cap_is_enforced(snipsender, monkeypatch):
    monkeypatch.setattr(sophos, "ENTRY_CAP", 2)
    with pytest.raises(SnippetError, match="allow-list entries"):
        _render(FilterKind.SOPHOS, _with_addresses(snipsender, 3))


@pytest.mark.parametrize(
    "kind",
    [
        FilterKind.MIMECAST,
        FilterKind.PROOFPOINT_ESSENTIALS,
        FilterKind.SOPHOS,
        FilterKind.TREND_MICRO,
    ],
)
def test_single_ips_carry_an_explicit_host_prefix(kind, snipsender):
    text = _render(kind, snipsender).text
    assert "192.0.2.10/32" in text
    assert re.search(r"192\.0\.2\.10(?!/32|\d)", text.split("\n\n", 1)[1]) is None


def test_barracuda_host_entries_use_a_full_netmask(snipsender):
    text = _render(FilterKind.BARRACUDA, _with_hosts(snipsender, "192.0.2.10", "2001:db8::1")).text
    assert "IP Address: 192.0.2.10 | Netmask: 255.255.255.255" in text
    assert "2001:db8" not in text


def test_trend_micro_has_no_wildcard_entries(snipsender):
    assert "*@" not in _render(FilterKind.TREND_MICRO, snipsender).text


def test_postfix_touches_only_postscreen(snipsender):
    main_cf = _render(FilterKind.POSTFIX, snipsender).parts[0].text
    keys = {line.split("=")[0].strip() for line in main_cf.splitlines() if "=" in line}
    assert keys == {"postscreen_access_list"}


def test_postfix_emits_nothing_without_ip_opt_in(snipsender):
    out = _render(FilterKind.POSTFIX, snipsender, SnippetOptions())
    assert "postscreen_access_list" not in out.text
    assert "permit" not in "".join(p.text for p in out.parts)


@pytest.mark.parametrize(("legacy", "word"), [(False, "welcomelist"), (True, "whitelist")])
def test_spamassassin_spelling_follows_the_version(legacy, word, snipsender):
    options = SnippetOptions(include_ip_allowlist=True, spamassassin_legacy=legacy)
    body = "".join(p.text for p in _render(FilterKind.SPAMASSASSIN, snipsender, options).parts)
    assert {line.split()[0] for line in body.splitlines()} == {
        f"{word}_from_dkim",
        f"{word}_from_rcvd",
    }


def test_rspamd_never_accepts_or_prefilters(snipsender):
    text = _render(FilterKind.RSPAMD, snipsender).text
    assert "prefilter" not in text.split("\n\n", 1)[1]
    assert 'action = "accept"' not in text


def test_google_email_allowlist_takes_public_ips_only(snipsender):
    profile = _with_hosts(snipsender, "192.0.2.10", "8.8.4.4")
    out = _render(FilterKind.GOOGLE_WORKSPACE, profile)
    allowlist = out.parts[-1].text
    assert "8.8.4.4" in allowlist and "192.0.2.10" not in allowlist
    assert "Not emitted: non-public IPs 192.0.2.10" in out.text


def test_google_without_public_ips_has_no_ip_part(snipsender):
    out = _render(FilterKind.GOOGLE_WORKSPACE, snipsender)
    assert len(out.parts) == 1
    assert out.risk.value == "low"
