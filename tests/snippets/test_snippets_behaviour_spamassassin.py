"""Behaviour, not syntax: SpamAssassin with the emitted snippet, DNS from the loopback server.

A genuine message (DKIM-signed with snipsender.example's key, received from its listed IP) is
welcomelisted; a spoofed one (same From, other IP, no valid signature) is not; neither is a
validly signed message from an address the profile does not list.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mailcheck.snippets import FilterKind, SnippetFacts, SnippetOptions
from tests.snippets.messages import MX_IP, delivery
from tests.snippets.tools import require_tool, run

SA_SYSTEM_CONFIG = Path("/etc/spamassassin")
DKIM_KEY_NAME = "sel1._domainkey.snipsender.example"


def _site(tmp_path: Path, dns: tuple[str, int], snippet: str) -> Path:
    site = tmp_path / "sa"
    site.mkdir()
    for pre in SA_SYSTEM_CONFIG.glob("*.pre"):
        shutil.copy(pre, site / pre.name)
    host, port = dns
    (site / "10_test_environment.cf").write_text(
        f"dns_server {host}:{port}\n"
        "dns_available yes\n"  # no probe queries to the Internet's root
        "skip_rbl_checks 1\n"  # the loopback server knows no DNSBL zones
        "use_bayes 0\n"
        f"trusted_networks {MX_IP}\n"
        f"internal_networks {MX_IP}\n"
    )
    (site / "90_mailcheck.cf").write_text(snippet)
    return site


def _scan(tmp_path: Path, site: Path, name: str) -> set[str]:
    spamassassin = require_tool("spamassassin", "spamassassin")
    prefs = tmp_path / "user_prefs"
    prefs.touch()
    result = run(
        [spamassassin, f"--siteconfigpath={site}", "-p", str(prefs), "-t"],
        input=delivery(name).data.decode(),
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    status = re.search(r"^X-Spam-Status: .*?(?=^\S)", result.stdout, re.M | re.S)
    assert status is not None, result.stdout
    unfolded = re.sub(r"\s*\n\s+", " ", status.group(0)).replace(", ", ",")
    match = re.search(r"tests=(\S+)", unfolded)
    return set(match.group(1).split(",")) if match else set()


@pytest.fixture(scope="module")
def authenticated_site(tmp_path_factory, sender_dns, snipsender):
    snippet = FilterKind.SPAMASSASSIN.snippet().render(snipsender, SnippetOptions(), SnippetFacts())
    return _site(tmp_path_factory.mktemp("sa-auth"), sender_dns.address, snippet.text)


@pytest.fixture(scope="module")
def with_ip_site(tmp_path_factory, sender_dns, snipsender):
    options = SnippetOptions(include_ip_allowlist=True)
    snippet = FilterKind.SPAMASSASSIN.snippet().render(snipsender, options, SnippetFacts())
    return _site(tmp_path_factory.mktemp("sa-ip"), sender_dns.address, snippet.text)


def test_genuine_message_is_welcomelisted(tmp_path, authenticated_site, sender_dns):
    key_queries = sender_dns.counters.count(DKIM_KEY_NAME, "TXT")
    tests = _scan(tmp_path, authenticated_site, "genuine")
    assert {"DKIM_VALID_AU", "USER_IN_DKIM_WELCOMELIST"} <= tests
    # the verdict rests on the key published in the test zone, fetched from the loopback server
    assert sender_dns.counters.count(DKIM_KEY_NAME, "TXT") > key_queries


@pytest.mark.parametrize(
    "name",
    [
        "spoofed",
        "forged-signature",
        "unsigned-from-listed-ip",
        "listed-ip-unaligned",
        "other-address",
    ],
)
def test_other_messages_are_not_welcomelisted(tmp_path, authenticated_site, name):
    tests = _scan(tmp_path, authenticated_site, name)
    assert tests, "no X-Spam-Status tests parsed: the scan did not run as expected"
    assert not {t for t in tests if t.startswith("USER_IN_")}, tests
    if name == "forged-signature":
        assert "DKIM_SIGNED" in tests and "DKIM_VALID" not in tests


def test_ip_opt_in_pairs_address_and_relay(tmp_path, with_ip_site):
    # the opt-in trusts the IP for the listed From without any signature: that is its risk
    assert "USER_IN_WELCOMELIST" in _scan(tmp_path, with_ip_site, "listed-ip-unaligned")
    spoofed = _scan(tmp_path, with_ip_site, "spoofed")
    assert not {t for t in spoofed if t.startswith("USER_IN_")}, spoofed


@pytest.fixture(scope="module")
def legacy_site(tmp_path_factory, sender_dns, snipsender):
    options = SnippetOptions(spamassassin_legacy=True)
    snippet = FilterKind.SPAMASSASSIN.snippet().render(snipsender, options, SnippetFacts())
    return _site(tmp_path_factory.mktemp("sa-legacy"), sender_dns.address, snippet.text)


@pytest.mark.parametrize(("name", "listed"), [("genuine", True), ("spoofed", False)])
def test_legacy_spelling_behaves_the_same(tmp_path, legacy_site, name, listed):
    # SpamAssassin 4.0 still reads whitelist_from_dkim (until 4.1); the rule name is new
    tests = _scan(tmp_path, legacy_site, name)
    assert tests
    assert ("USER_IN_DKIM_WELCOMELIST" in tests) is listed, tests
