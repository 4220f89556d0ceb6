"""Behaviour, not syntax: a real rspamd with the emitted multimap rule, DNS from loopback.

The genuine message (DKIM-signed with snipsender.example's key, from its listed IP) gets the
allowlist symbol; a spoofed one (same From, other IP, no valid signature) does not, nor does
unsigned mail from the listed IP whose envelope is another domain's (what another customer of
a shared IP could send: the IP alone is only a small hint), nor a validly signed message from
an address the profile does not list.
"""

from __future__ import annotations

import pytest

from mailcheck.snippets import FilterKind, SnippetFacts, SnippetOptions
from mailcheck.snippets.rspamd import FROM_SCORE, IP_SCORE
from tests.snippets.messages import delivery
from tests.snippets.rspamd_server import RspamdServer
from tests.snippets.tools import require_tool, skip_or_fail

ALLOW = "MAILCHECK_SNIPSENDER_FROM"
IP_HINT = "MAILCHECK_SNIPSENDER_IP"


@pytest.fixture(scope="module")
def rspamd(tmp_path_factory, sender_dns, snipsender):
    binary = require_tool("rspamd", "rspamd")
    options = SnippetOptions(include_ip_allowlist=True)  # the FROM rule plus the IP hint
    snippet = FilterKind.RSPAMD.snippet().render(snipsender, options, SnippetFacts())
    server = RspamdServer(
        binary, tmp_path_factory.mktemp("rspamd"), sender_dns.address, snippet.text
    )
    try:
        server.start()
    except RuntimeError as exc:
        skip_or_fail(f"rspamd could not start: {exc}")
    yield server
    server.stop()


def _symbols(verdict):
    return {name: info.get("score") for name, info in verdict.get("symbols", {}).items()}


def test_genuine_message_is_allowlisted(rspamd, sender_dns):
    verdict = rspamd.scan(delivery("genuine"))
    # SPF, DKIM key and DMARC came from the loopback server (rspamd may have cached them)
    for name in (
        "snipsender.example",
        "sel1._domainkey.snipsender.example",
        "_dmarc.snipsender.example",
    ):
        assert sender_dns.counters.count(name, "TXT") >= 1, name
    symbols = _symbols(verdict)
    assert {"R_DKIM_ALLOW", "R_SPF_ALLOW", "DMARC_POLICY_ALLOW"} <= set(symbols), symbols
    assert symbols[ALLOW] == pytest.approx(FROM_SCORE)
    assert symbols[IP_HINT] == pytest.approx(IP_SCORE)
    assert verdict["action"] == "no action"


def test_spoofed_message_is_not_allowlisted(rspamd):
    verdict = rspamd.scan(delivery("spoofed"))
    symbols = _symbols(verdict)
    assert "DMARC_POLICY_REJECT" in symbols and "R_SPF_FAIL" in symbols, symbols
    assert ALLOW not in symbols and IP_HINT not in symbols
    assert verdict["action"] != "no action"


def test_forged_signature_is_not_allowlisted(rspamd):
    symbols = _symbols(rspamd.scan(delivery("forged-signature")))
    assert "R_DKIM_REJECT" in symbols and "DMARC_POLICY_REJECT" in symbols, symbols
    assert ALLOW not in symbols


def test_listed_ip_alone_gets_only_the_hint(rspamd):
    symbols = _symbols(rspamd.scan(delivery("listed-ip-unaligned")))
    assert IP_HINT in symbols and "DMARC_POLICY_REJECT" in symbols, symbols
    assert ALLOW not in symbols


def test_aligned_spf_from_the_listed_ip_counts_as_dmarc_pass(rspamd):
    # unsigned, but SPF passes for snipsender.example itself: DMARC passes legitimately
    symbols = _symbols(rspamd.scan(delivery("unsigned-from-listed-ip")))
    assert {"R_SPF_ALLOW", "DMARC_POLICY_ALLOW", ALLOW} <= set(symbols), symbols


def test_other_address_is_not_allowlisted(rspamd):
    symbols = _symbols(rspamd.scan(delivery("other-address")))
    assert "DMARC_POLICY_ALLOW" in symbols, symbols  # authenticated, but not a listed address
    assert ALLOW not in symbols
