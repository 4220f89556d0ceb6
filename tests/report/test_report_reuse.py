"""Shared check results rendered once (``report.reuse``): every report's bytes are the bytes
the whole template and ``json.dumps`` give, the shared text really comes from the cache, and
only the very same object (never an equal one) counts as shared."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from mailcheck.base.model import CheckResult, Report
from mailcheck.report import view
from mailcheck.report.html import HtmlRenderer
from mailcheck.report.json import JsonRenderer
from mailcheck.report.reuse import Reuse, snippet_views, snippets_result, verdict_and_plan


def never() -> str:
    raise AssertionError("rendered again: the shared text was not reused")


def run_of(report: Report) -> list[Report]:
    """Three reports of one run: other domains and times, the same check result objects."""
    return [
        report,
        dataclasses.replace(report, domain="second.example", generated_at="2026-11-23T00:00:00Z"),
        dataclasses.replace(report, domain="third.example", command=("x", "<b>")),
    ]


@pytest.mark.parametrize("fixture", ["xss_report", "html_report"])
def test_spliced_reports_are_byte_identical(fixture: str, request: pytest.FixtureRequest) -> None:
    report, _ = request.getfixturevalue(fixture)
    reuse = Reuse()
    for result in report.checks:
        reuse.share(result)
    for each in run_of(report):
        assert HtmlRenderer(reuse).render(each) == HtmlRenderer().render(each), each.domain
        assert JsonRenderer(reuse).render(each) == JsonRenderer().render(each), each.domain
    shown = [r for _, _, results in view.sections(report) for r in results]
    assert shown, "the fixture shows sections"
    page = HtmlRenderer().render(report)
    for result in shown:
        section = reuse.html(result, never)  # cached by the first report, spliced since
        assert section and section in page
        assert reuse.json(result, never).value["check"] == result.check


def test_an_equal_result_is_not_a_shared_one(html_report: tuple[Report, str]) -> None:
    report, _ = html_report
    reuse = Reuse()
    for result in report.checks:
        reuse.share(result)
    twin: CheckResult = copy.deepcopy(report.checks[0])
    assert twin == report.checks[0] and not reuse.is_shared(twin)
    assert reuse.is_shared(report.checks[0])


def test_a_full_reuse_forgets_everything_and_stays_correct(html_report: tuple[Report, str]) -> None:
    report, _ = html_report
    reuse = Reuse(limit=2)
    for result in report.checks:
        reuse.share(result)
    assert sum(reuse.is_shared(r) for r in report.checks) <= 2
    for each in run_of(report):
        assert HtmlRenderer(reuse).render(each) == HtmlRenderer().render(each)
        assert JsonRenderer(reuse).render(each) == JsonRenderer().render(each)


@pytest.mark.parametrize("fixture", ["xss_report", "html_report"])
def test_the_snippets_section_is_rendered_once_per_shared_result(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    report, _ = request.getfixturevalue(fixture)
    result = snippets_result(report)
    assert result is not None, "the fixture has snippets"
    reuse = Reuse()
    reuse.share(result)  # only the snippets result is shared: the rest is rendered per report
    for each in run_of(report):
        # JSON first: the verdict and plan it makes are the ones the HTML then splices with
        assert JsonRenderer(reuse).render(each) == JsonRenderer().render(each), each.domain
        assert HtmlRenderer(reuse).render(each) == HtmlRenderer().render(each), each.domain
    views = snippet_views(report, reuse)
    assert views and views is snippet_views(run_of(report)[1], reuse)  # one tuple for the run
    chosen = verdict_and_plan(report, views, None)[1].snippet
    index = next((i for i, s in enumerate(views) if s is chosen), None)
    section = reuse.derived(result, ("snippets-section", index), never)
    assert section.startswith('<section id="snippets"') and section in HtmlRenderer().render(report)


def test_a_report_s_views_verdict_and_plan_are_made_once_for_both_renderers(
    html_report: tuple[Report, str],
) -> None:
    report, _ = html_report
    reuse = Reuse()  # nothing shared: still one snippets tuple and one plan per report
    views = snippet_views(report, reuse)
    assert views is snippet_views(report, reuse)
    made = verdict_and_plan(report, views, reuse)
    assert verdict_and_plan(report, views, reuse) is made
    assert made == verdict_and_plan(report, view.snippets(report), None)
    other = dataclasses.replace(report, domain="second.example")
    assert snippet_views(other, reuse) is not views  # another report: made again


def test_evidence_rows_are_rendered_and_encoded_once_per_distinct_row(
    html_report: tuple[Report, str],
) -> None:
    report, _ = html_report
    assert report.evidence, "the fixture has DNS evidence"
    # another domain's report: equal rows as other objects (as a worker unpickles them), one new
    copies = tuple(copy.deepcopy(row) for row in report.evidence)
    extra = dataclasses.replace(report.evidence[0], name="only.second.example", ttl=True)
    other = dataclasses.replace(report, domain="second.example", evidence=(*copies, extra))
    reuse = Reuse()
    for each in (report, other):
        assert HtmlRenderer(reuse).render(each) == HtmlRenderer().render(each), each.domain
        assert JsonRenderer(reuse).render(each) == JsonRenderer().render(each), each.domain
    page, document = HtmlRenderer().render(other), JsonRenderer().render(other)
    for row in copies:
        text = reuse.by_value(("html", row, int), never)  # made for the first report, reused
        assert text.startswith("<tr>") and text in page
        encoded = reuse.by_value(("json", row, int), never)
        assert encoded.text("\n    ") in document
    # a bool TTL equals the int but prints otherwise: it is not taken for the int row's text
    assert "<td>True</td>" in reuse.by_value(("html", extra, bool), never)
    assert '"ttl": true' in reuse.by_value(("json", extra, bool), never).text("\n    ")
