"""The written corpus (tests/data/messages/): every message's decoded verdicts, findings and
one-sentence verdict, with DNS replayed from the corpus snapshot."""

from __future__ import annotations

import pytest

from mailcheck.message import analyze_to_report, org_context, read_inputs
from mailcheck.message.facts import MessageFacts
from mailcheck.rulefiles.profiles import load_profile_file
from tests.message.msg_helpers import CORPUS, corpus_resolver, load_yaml

EXPECTED = load_yaml(CORPUS / "expected.yaml")
PROFILE = load_profile_file(CORPUS / "profiles" / "msgsender.toml")


async def _report(name: str, org_domain: str):
    resolver = corpus_resolver()
    org, problems = await org_context(resolver, org_domain)
    assert problems == ()
    (item,) = read_inputs(str(CORPUS / f"{name}.eml"))
    return await analyze_to_report(item, resolver, org, PROFILE)


def test_every_corpus_message_has_expectations():
    assert sorted(p.stem for p in CORPUS.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_corpus_message(name):
    expected = EXPECTED[name]
    report = await _report(name, expected["org"])
    (check,) = report.checks
    assert isinstance(check.facts, MessageFacts)  # typed to the renderers (issue 14)
    verdicts = [
        [v.vendor, v.header, v.disposition.value, v.score, v.threshold]
        for v in check.facts.verdicts
        if v.vendor != "unknown"
    ]
    assert verdicts == expected["verdicts"]
    found = {(f.code, f.status.value) for f in check.findings}
    for code, status in expected["codes"]:
        assert (code, status) in found
    sentence = check.findings[0]
    assert sentence.code == "MSG001"
    for fragment in expected["sentence"]:
        assert fragment in sentence.summary
    assert not [f for f in check.findings if f.status.value == "error"]
