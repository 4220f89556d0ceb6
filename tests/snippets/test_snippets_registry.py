"""The registry and the snippet-wide rules: exhaustive, ordered, deterministic, least privilege."""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import date

import pytest

from mailcheck.base.errors import SnippetError
from mailcheck.snippets import (
    FilterKind,
    Risk,
    Snippet,
    SnippetFacts,
    SnippetOptions,
    render_snippets,
)
from mailcheck.snippets.base import FilterSnippet

IPS = SnippetOptions(include_ip_allowlist=True, review_date=date(2027, 2, 1))


@pytest.mark.parametrize("kind", list(FilterKind))
def test_every_filter_kind_maps_to_its_snippet(kind):
    snippet = kind.snippet()
    assert isinstance(snippet, Snippet)
    assert snippet.kind == kind.value


def test_filter_kinds_map_to_distinct_classes():
    classes = {type(kind.snippet()) for kind in FilterKind}
    assert len(classes) == len(FilterKind)


@pytest.mark.parametrize("kind", list(FilterKind))
def test_render_is_deterministic(kind, trimble):
    first = kind.snippet().render(trimble, IPS, SnippetFacts())
    second = kind.snippet().render(trimble, IPS, SnippetFacts())
    assert first == second
    assert first.text.encode("utf-8") == second.text.encode("utf-8")


def test_detected_provider_comes_first(trimble):
    outputs = render_snippets(trimble, SnippetOptions(), facts=SnippetFacts(provider="mimecast"))
    assert outputs[0].filter == "mimecast"
    assert [o.filter for o in outputs[1:]] == [k.value for k in FilterKind if k != "mimecast"]


@pytest.mark.parametrize("alias", ["google", "Microsoft", "proofpoint"])
def test_provider_aliases_pick_a_filter(alias, trimble):
    outputs = render_snippets(trimble, SnippetOptions(), facts=SnippetFacts(provider=alias))
    assert outputs[0].filter in {"google-workspace", "microsoft365", "proofpoint-pps"}


def test_unknown_provider_keeps_registry_order(trimble):
    outputs = render_snippets(trimble, SnippetOptions(), facts=SnippetFacts(provider="acme"))
    assert [o.filter for o in outputs] == [k.value for k in FilterKind]


@pytest.mark.parametrize("kind", list(FilterKind))
def test_header_says_what_it_is(kind, trimble):
    out = kind.snippet().render(trimble, IPS, SnippetFacts())
    head = out.text.split("\n\n", 1)[0]
    for needle in (
        "mailcheck allowlist snippet:",
        "Risk:",
        "Allows:",
        "Does not allow:",
        "Where to paste:",
        "Prerequisites:",
        "Undo:",
        "Review by: 2027-02-01",
        f"sha256 {trimble.sha256}",
        "trimble-identity",
    ):
        assert needle in head
    assert all(line.startswith("#") for line in head.splitlines())


@pytest.mark.parametrize("kind", list(FilterKind))
def test_no_ip_entries_without_opt_in(kind, trimble):
    out = kind.snippet().render(trimble, SnippetOptions(), SnippetFacts())
    body = _body(out.text)
    for network in trimble.networks:
        assert str(network.network.network_address) not in body


@pytest.mark.parametrize("kind", list(FilterKind))
def test_never_widens_to_the_hinted_range(kind, trimble):
    out = kind.snippet().render(trimble, IPS, SnippetFacts())
    assert "54.240.27.0" not in out.text
    for token in _body(out.text).replace(",", " ").replace("'", " ").split():
        if "/" in token and token[0].isdigit():
            assert ipaddress.ip_network(token.strip("[]"), strict=False).num_addresses == 1


@pytest.mark.parametrize("kind", list(FilterKind))
def test_staging_and_wildcard_senders_are_not_emitted(kind, trimble):
    body = _body(kind.snippet().render(trimble, IPS, SnippetFacts()).text)
    assert "trimblecloud.com" not in body
    assert "*@account.trimble.com" not in body


@pytest.mark.parametrize("kind", list(FilterKind))
def test_ip_entries_are_high_risk_when_shared(kind, trimble):
    shared = {str(n.network.network_address): "Amazon SES" for n in trimble.documented_hosts}
    out = kind.snippet().render(trimble, IPS, SnippetFacts(shared_ips=shared))
    if _mentions_an_ip(out.text, trimble):
        assert out.risk is Risk.HIGH
        assert "Amazon SES" in out.risk_reason


def test_ip_entries_are_medium_when_checked_dedicated(trimble):
    out = FilterKind.POSTFIX.snippet().render(trimble, IPS, SnippetFacts(shared_ips={}))
    assert out.risk is Risk.MEDIUM


def test_unchecked_ips_are_treated_as_shared(trimble):
    out = FilterKind.POSTFIX.snippet().render(trimble, IPS, SnippetFacts())
    assert out.risk is Risk.HIGH
    assert "treated as shared" in out.risk_reason


@pytest.mark.parametrize(
    "kind",
    [
        FilterKind.SPAMASSASSIN,
        FilterKind.RSPAMD,
        FilterKind.EXIM,
        FilterKind.AMAVIS,
        FilterKind.MICROSOFT365,
    ],
)
def test_authenticated_snippets_are_low_risk_by_default(kind, trimble):
    assert kind.snippet().render(trimble, SnippetOptions(), SnippetFacts()).risk is Risk.LOW


@pytest.mark.parametrize("esp", ["amazonses.com", "us-west-2.amazonses.com", "mailgun.org"])
@pytest.mark.parametrize("kind", list(FilterKind))
def test_esp_domains_are_refused_as_trusted_senders(kind, esp, trimble):
    sender = dataclasses.replace(trimble.senders[0], address=f"no-reply@{esp}")
    profile = dataclasses.replace(trimble, senders=(sender,))
    with pytest.raises(SnippetError, match="shared sending service"):
        kind.snippet().render(profile, SnippetOptions(), SnippetFacts())


@pytest.mark.parametrize("kind", list(FilterKind))
def test_esp_dkim_domain_is_refused(kind, trimble):
    profile = dataclasses.replace(trimble, dkim_domains=("mailgun.org",))
    with pytest.raises(SnippetError):
        kind.snippet().render(profile, SnippetOptions(), SnippetFacts())


@pytest.mark.parametrize("kind", list(FilterKind))
def test_domain_only_profiles_are_refused(kind, trimble):
    profile = dataclasses.replace(
        trimble, senders=tuple(s for s in trimble.senders if s.is_wildcard)
    )
    with pytest.raises(SnippetError, match="domain-only"):
        kind.snippet().render(profile, SnippetOptions(), SnippetFacts())


def test_render_snippets_subset_and_order(trimble):
    outputs = render_snippets(
        trimble, SnippetOptions(), (FilterKind.RSPAMD, FilterKind.POSTFIX, FilterKind.RSPAMD)
    )
    assert [o.filter for o in outputs] == ["postfix", "rspamd"]


def test_facts_mapping_is_frozen():
    facts = SnippetFacts(shared_ips={"192.0.2.1": "x"})
    with pytest.raises(TypeError):
        facts.shared_ips["192.0.2.2"] = "y"  # type: ignore[index]


def test_every_snippet_is_a_filter_snippet():
    assert all(isinstance(k.snippet(), FilterSnippet) for k in FilterKind)


def _body(text: str) -> str:
    """The snippet without its header comment."""
    return "".join(
        line + "\n"
        for line in text.splitlines()
        if not line.startswith("# ") and not line.startswith("#   -")
    )


def _mentions_an_ip(text: str, profile) -> bool:
    return any(str(n.network.network_address) in _body(text) for n in profile.documented_hosts)


def test_render_snippets_takes_facts_as_keywords(trimble):
    shared = {"54.240.27.30": "Amazon SES"}
    outputs = render_snippets(trimble, IPS, shared_ips=shared, provider="postfix")
    assert outputs[0].filter == "postfix"
    assert outputs[0].risk is Risk.HIGH and "Amazon SES" in outputs[0].risk_reason
