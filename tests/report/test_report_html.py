"""The HTML report without a browser: escaping, CSP hashes, no URLs, sections and verdicts."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from reportdata import PAYLOADS, snippet_output

from mailcheck.base.model import CheckResult, Finding, ProfileRef, Report, Status
from mailcheck.facts.changes import ChangesFacts
from mailcheck.facts.provider import ProviderFacts
from mailcheck.report import flow, view
from mailcheck.report.html import TEMPLATES, HtmlRenderer, environment
from mailcheck.snippets.interface import SnippetsFacts


class Page(HTMLParser):
    """Every tag with its attributes, and the text of <style> and <script>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"style": [], "script": []}
        self._open: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open = tag if tag in self.raw else None

    def handle_data(self, data):
        if self._open:
            self.raw[self._open].append(data)

    def handle_endtag(self, tag):
        self._open = None


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def report_with(*findings: Finding, checks: tuple[CheckResult, ...] = ()) -> Report:
    profile = ProfileRef("p", "Vendor Mail", "rules/p.toml", "0" * 64)
    mx = CheckResult("mx", "MX", findings)
    return Report("0.1.0", "2026-11-22T03:00:00Z", "v.example", profile, (mx, *checks))


def test_environment_autoescapes_every_template_name() -> None:
    env = environment()
    assert env.autoescape is True  # a bool, not select_autoescape (which skips *.html.j2)
    assert str(env.from_string("{{ x }}").render(x="<b>")) == "&lt;b&gt;"


def test_xss_payloads_are_escaped(xss_report) -> None:
    html = HtmlRenderer().render(xss_report[0])
    for raw in ("<script>alert", "<img src=x", "<svg/onload"):
        assert raw not in html
    for payload in PAYLOADS:  # each shown as text, in its escaped form
        assert str(escape(payload)) in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    page = Page(html)
    assert [t for t, _ in page.tags].count("script") == 1
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), tag
        assert "src" not in attrs, tag
        href = attrs.get("href")
        assert href is None or re.fullmatch(r"#[a-z0-9-]+", href), href


def test_csp_allows_exactly_the_inline_style_and_script(html_report) -> None:
    page = Page(HtmlRenderer().render(html_report[0]))
    (csp,) = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    (style,), (script,) = page.raw["style"], page.raw["script"]
    assert csp == (
        f"default-src 'none'; style-src {sha(style)}; script-src {sha(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def test_html_has_no_url_of_any_kind(html_report) -> None:
    html = HtmlRenderer().render(html_report[0])
    assert not re.search(r"(?i)https?:|//[a-z]|url\((?!#)", html.replace("\\/", ""))


def test_unknown_check_is_rendered_generically_with_its_facts(xss_report) -> None:
    html = HtmlRenderer().render(xss_report[0])
    assert 'id="check-echo"' in html
    assert "Facts gathered by the <code>echo</code> check" in html
    assert html.index('id="other-heading"') < html.index('id="check-echo"')


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mx", ["check_mx.html", "check_generic.html"]),
        ("sender-spf", ["check_sender-spf.html", "check_generic.html"]),
        ("../evil", ["check_generic.html"]),
    ],
)
def test_partial_names_only_for_safe_check_names(name: str, expected: list[str]) -> None:
    assert view.partial_names(CheckResult(name, "t")) == expected


def test_snippets_hash_text_and_put_detected_first(html_report) -> None:
    snippets = view.snippets(html_report[0])
    assert [s.detected for s in snippets] == [True, False]
    assert snippets[1].sha256 == hashlib.sha256(b"52.101.68.20 OK\n").hexdigest()
    html = HtmlRenderer().render(html_report[0])
    assert snippets[1].sha256 in html
    assert '<pre id="snippet-2-text"><code>52.101.68.20 OK\n</code></pre>' in html


def test_snippet_with_unsafe_filename_gets_a_safe_one() -> None:
    hostile = snippet_output("postfix", "x", filename="../../etc/passwd")
    facts = SnippetsFacts(None, (hostile, snippet_output("rspamd", "y", filename="")))
    snippets = view.snippets(report_with(checks=(CheckResult("snippets", "S", (), facts),)))
    assert [s.filename for s in snippets] == ["snippet-1.txt", "snippet-2.txt"]


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (Status.PASS, "Yes"),
        (Status.INFO, "Yes"),
        (Status.WARN, "Probably"),
        (Status.ERROR, "Unknown"),
        (Status.FAIL, "No"),
    ],
)
def test_verdict_answers_by_worst_status(status: Status, answer: str) -> None:
    verdict = view.verdict(report_with(Finding("MX001", status, "the summary")))
    assert verdict.answer == answer
    if status.severity > Status.WARN.severity:
        assert "the summary." in verdict.action
    if status is Status.WARN:  # the warnings are counted by owner; the steps follow
        assert verdict.action == "1 warning for you; none stops delivery on its own."


def test_flow_colours_hops_and_marks_unchecked_ones(html_report) -> None:
    hops = {h.key: h for h in flow.flow(html_report[0]).wide}
    assert hops["mx"].status is Status.WARN
    assert hops["mx"].detail == "mx1.html.example +1"
    assert hops["auth"].status is Status.WARN  # sender-spf has a warning
    assert hops["filter"].detail == "Self-hosted"
    assert hops["filter"].status is Status.INFO
    assert hops["mailbox"].status is Status.PASS  # the probe was accepted
    assert hops["mailbox"].detail == "html.example"


def test_flow_marks_hops_without_checks_as_not_checked() -> None:
    hops = {h.key: h for h in flow.flow(report_with()).wide}
    assert hops["mx"].status is Status.PASS  # the mx check ran and raised nothing
    assert hops["auth"].status is None and hops["mailbox"].status is None


def test_flow_shortens_hostile_labels() -> None:
    long = CheckResult("provider", "P", (), ProviderFacts("d.example", "mx", "x", "x" * 500))
    hops = {h.key: h for h in flow.flow(report_with(checks=(long,))).wide}
    assert len(hops["filter"].detail) == flow.MAX_WIDE
    assert hops["filter"].status is Status.PASS


def test_top_findings_prefer_problems() -> None:
    report = report_with(
        Finding("MX001", Status.PASS, "fine"), Finding("MX006", Status.WARN, "cname")
    )
    assert [f.code for f in view.top_findings(report)] == ["MX006"]


def test_sender_matrix_cells_open_to_traces_with_the_match_marked(html_report) -> None:
    html = HtmlRenderer().render(html_report[0])
    assert '<th scope="col"><code>54.240.27.9</code></th>' in html
    assert "<mark><code>account.trimble.com: include:mailgun.org</code> ← matched</mark>" in html
    assert "<mark><code>mailgun.org: ip4:52.101.68.0/24</code> ← matched</mark>" in html
    assert html.count('<details class="cell">') == 2


def test_sender_matrix_of_unknown_shape_falls_back_to_facts_view() -> None:
    odd = CheckResult("sender-spf", "SPF", (), ChangesFacts("nope", "3"))
    html = HtmlRenderer().render(report_with(checks=(odd,)))
    assert 'class="matrix"' not in html
    assert "Facts gathered by the <code>sender-spf</code> check" in html


PARTIALS = sorted(
    p.name.removeprefix("check_").removesuffix(".html")
    for p in TEMPLATES.glob("check_*.html")
    if p.name != "check_generic.html"
)


@pytest.mark.parametrize("name", PARTIALS)
def test_every_partial_survives_a_check_without_facts(name: str) -> None:
    """Facts are typed now (a check's partial only ever sees its own Facts class, mypy holds
    the type), but a check that stopped early gathers none: every partial must cope."""
    result = CheckResult(name, "Title", (Finding("MX001", Status.PASS, "ok"),))
    html = HtmlRenderer().render(report_with(checks=(result,)))
    assert f'id="check-{name}"' in html
