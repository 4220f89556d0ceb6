"""The message check's partial (check_message.html) reads the typed MessageFacts by attribute:
every decoded verdict, every Received hop with its ISO date, the re-checked DKIM/SPF/DMARC and
the trust given to each Authentication-Results field reach the page, escaped."""

from __future__ import annotations

import json

from markupsafe import escape

from mailcheck.message import analyze_to_report, org_context, read_inputs
from mailcheck.message.facts import MessageFacts
from mailcheck.report.html import HtmlRenderer
from mailcheck.report.json import JsonRenderer
from tests.message.msg_helpers import CORPUS, corpus_resolver


async def _report(name: str, org_domain: str):
    resolver = corpus_resolver()
    org, _ = await org_context(resolver, org_domain)
    (item,) = read_inputs(str(CORPUS / f"{name}.eml"))
    return await analyze_to_report(item, resolver, org)


async def test_message_partial_shows_the_typed_facts():
    report = await _report("m365-spam-scl5", "msgtest.example")
    (check,) = report.checks
    facts = check.facts
    assert isinstance(facts, MessageFacts)
    html = HtmlRenderer().render(report)
    for verdict in facts.verdicts:
        assert f"<td><code>{escape(verdict.header)}</code></td>" in html
        assert f"<td>{verdict.disposition.value}</td>" in html
    dated = [h.received.date for h in facts.chain.hops if h.received.date is not None]
    assert dated and all(f"<td>{d.isoformat()}</td>" in html for d in dated)
    assert facts.chain.entry is not None and " ★</td>" in html
    assert f"SPF {escape(facts.spf.domain)} from {escape(facts.spf.ip)}" in html
    for field in facts.authres:
        assert f"<td>{field.trust.value}</td>" in html
    assert "Facts gathered by the <code>message</code> check" in html


async def test_message_facts_reach_json_as_plain_values():
    report = await _report("m365-spam-scl5", "msgtest.example")
    (check,) = json.loads(JsonRenderer().render(report))["checks"]
    facts = check["facts"]
    assert facts["verdicts"][0]["disposition"] == "spam"  # the enum's value
    hop = next(h for h in facts["chain"]["hops"] if h["received"]["date"])
    assert "T" in hop["received"]["date"]  # ISO 8601, as the sink stores it
