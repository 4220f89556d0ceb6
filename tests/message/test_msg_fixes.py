"""The snippet named in the verdict sentence exists for every filter a decoder or provider
names, and its ``--filter`` value is a real ``mailcheck snippets`` filter."""

from __future__ import annotations

from mailcheck.message.fixes import SNIPPETS, fix_phrase
from mailcheck.message.org import PROVIDERS
from mailcheck.message.verdicts import Disposition, Verdict

DECODER_FILTERS = {
    "m365",
    "exchange",
    "spamassassin",
    "rspamd",
    "proofpoint",
    "mimecast",
    "barracuda",
    "trendmicro",
}


def test_every_filter_has_a_snippet():
    assert DECODER_FILTERS | {p.filter for p in PROVIDERS} <= set(SNIPPETS)


def test_cli_filter_names_are_snippet_filters():
    from mailcheck.snippets import FilterKind

    assert {ref.cli_filter for ref in SNIPPETS.values()} <= {k.value for k in FilterKind}


def test_phishing_is_not_allowlisted():
    verdict = Verdict("Microsoft 365", "X", Disposition.PHISH, "s", "m365")
    assert "does not override a phishing verdict" in fix_phrase(verdict)


def test_unknown_vendor_has_no_snippet():
    verdict = Verdict("Acme", "X", Disposition.SPAM, "s", "")
    assert fix_phrase(verdict).startswith("no mailcheck snippet covers Acme")


def test_proofpoint_essentials_org_gets_its_snippet():
    verdict = Verdict("Proofpoint", "X", Disposition.BULK, "s", "proofpoint")
    assert "--filter proofpoint-essentials" in fix_phrase(verdict, "proofpoint-essentials")
    assert "--filter proofpoint-pps" in fix_phrase(verdict, "")
