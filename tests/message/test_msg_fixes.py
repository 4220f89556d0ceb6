"""The snippet named in the verdict sentence exists for every filter a decoder or provider
names, and its ``--filter`` value is a real ``mailcheck snippets`` filter."""

from __future__ import annotations

from mailcheck.message.fixes import SELF_HOSTED, fix_phrase, snippet_for
from mailcheck.message.org import shipped_providers
from mailcheck.message.verdicts import DECODERS, Disposition, Verdict
from mailcheck.snippets import FilterKind


def test_every_decoder_product_has_a_snippet():
    assert all(snippet_for(d.product) is not None for d in DECODERS)


def test_cli_filter_names_are_snippet_filters():
    hosted = {p.snippet_filter for p in shipped_providers() if p.snippet_filter}
    assert hosted | set(SELF_HOSTED) <= {k.value for k in FilterKind}


def test_phishing_is_not_allowlisted():
    verdict = Verdict("Microsoft 365", "X", Disposition.PHISH, "s", "microsoft-365")
    assert "does not override a phishing verdict" in fix_phrase(verdict)


def test_unknown_vendor_has_no_snippet():
    verdict = Verdict("Acme", "X", Disposition.SPAM, "s", "")
    assert fix_phrase(verdict).startswith("no mailcheck snippet covers Acme")


def test_proofpoint_essentials_org_gets_its_snippet():
    verdict = Verdict("Proofpoint", "X", Disposition.BULK, "s", "proofpoint")
    assert "--filter proofpoint-essentials" in fix_phrase(verdict, "proofpoint-essentials")
    assert "--filter proofpoint-pps" in fix_phrase(verdict, "")
