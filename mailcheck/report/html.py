"""The self-contained HTML report: jinja2 with autoescape, inline CSS and one hashed script.

Every DNS-derived string is untrusted, so autoescape is on for every template whatever its
name (``select_autoescape`` would skip ``*.html.j2``) and undefined names fail loudly. The
Content-Security-Policy allows exactly the inline style and script by their SHA-256 hashes and
nothing else: no network, no other script, no form.
"""

from __future__ import annotations

import base64
import hashlib
import shlex
from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from mailcheck.base.codes import Owner, owner
from mailcheck.base.model import CheckResult, DnsEvidence, Report, Status
from mailcheck.report import flow, view
from mailcheck.report.facts_view import MAX_ITEMS, fact_tree
from mailcheck.report.matrix import sender_matrix
from mailcheck.report.reuse import Reuse, snippet_views, snippets_result, verdict_and_plan
from mailcheck.report.sender_summary import is_sender_report
from mailcheck.report.tell_sender import tell_the_sender

TEMPLATES = Path(__file__).with_name("templates")
EVIDENCE_SHOWN = 3  # evidence lines per finding before "N more" (the rest in <details>)
MX_STATES = {
    "mx": "The domain publishes MX records.",
    "null": "The domain publishes a null MX: it accepts no mail.",
    "implicit": "The domain has no MX; mail goes to its own address.",
    "none": "The domain has neither MX nor address.",
    "nxdomain": "The domain does not exist.",
    "error": "The MX lookup could not complete.",
}
# DNSBL lookup states (checks/dnsbl.py) as statuses; "no-ipv6" (list has no IPv6 zone): none.
DNSBL_STATES = {
    "listed": Status.FAIL,
    "clear": Status.PASS,
    "refused": Status.ERROR,
    "rewritten": Status.ERROR,
    "error": Status.ERROR,
}
OWNER_LABELS = {
    Owner.YOURS: "yours to fix",
    Owner.SENDER: "the sender's to fix",
    Owner.INFORMATION: "information",
}
RISK_ICONS = {"low": "✓", "medium": "!", "high": "✗", "unknown": "?"}


@cache
def environment() -> Environment:
    """The template environment: autoescape everywhere, strict about undefined names."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the templates are package files: no stat() per include
    )
    env.globals.update(
        icons=view.ICONS,
        risk_icons=RISK_ICONS,
        mx_states=MX_STATES,
        dnsbl_states=DNSBL_STATES,
        partial_names=view.partial_names,
        worst=view.worst,
        owner=owner,
        owner_labels=OWNER_LABELS,
        sender_matrix=sender_matrix,
        max_items=MAX_ITEMS,
        fact_tree=fact_tree,
        evidence_shown=EVIDENCE_SHOWN,
        box_w=flow.BOX_W,
        box_h=flow.BOX_H,
        gap=flow.GAP,
        tall_w=flow.TALL_W,
        tall_h=flow.TALL_H,
        tall_gap=flow.TALL_GAP,
        problem_wide=flow.MAX_PROBLEM_WIDE,
        problem_tall=flow.MAX_PROBLEM_TALL,
    )
    return env


def csp_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline text."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(css: str, script: str) -> str:
    """Nothing may load; only our inline style and script run (by hash)."""
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {csp_hash(css)}",
            f"script-src {csp_hash(script)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


@cache
def page_assets() -> tuple[str, str, str]:
    """The inline CSS, the script and the policy allowing exactly them (read once a process)."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    script = (TEMPLATES / "copy.js").read_text(encoding="utf-8")
    return css, script, content_security_policy(css, script)


class HtmlRenderer:
    """See ``Renderer``; with ``reuse``, shared check results' sections are rendered once."""

    def __init__(self, reuse: Reuse | None = None) -> None:
        self.reuse = reuse

    def render(self, report: Report) -> str:
        """See ``Renderer.render``."""
        css, script, csp = page_assets()
        snippets = snippet_views(report, self.reuse)
        verdict, plan = verdict_and_plan(report, snippets, self.reuse)
        tell = tell_the_sender(report)
        template = environment().get_template("report.html")
        context: dict[str, Any] = {
            "report": report,
            "sender": view.sender_name(report),
            "verdict": verdict,
            "plan": plan,
            # the verdict links to the section when it is there
            "tell_the_sender": tell is not None,
            "sections": view.sections(report),
            "message": view.is_message_report(report),
            "sender_only": is_sender_report(report),
            "snippets": snippets,
            "tell": tell,
            "flow": flow.flow(report),
            "command": shlex.join(report.command),
            "csp": csp,
            # Our own files, not data: marked safe so the hashed bytes are the emitted bytes.
            "css": Markup(css),
            "script": Markup(script),
            "snippets_part": "part_snippets.html",
            "evidence_row": partial(evidence_row, self.reuse),
        }
        if self.reuse is not None:
            context |= spliced_sections(context, self.reuse)
            context |= spliced_snippets(report, context, self.reuse)
        return template.render(context)


def evidence_row(reuse: Reuse | None, row: DnsEvidence) -> Markup:
    """One row of the evidence table; with ``reuse``, rendered once per distinct row."""
    template = environment().get_template("part_evidence_row.html")
    if reuse is None:
        return Markup(template.render(row=row))
    # The TTL's type is in the key: True == 1, but they would print differently.
    return Markup(reuse.by_value(("html", row, type(row.ttl)), partial(template.render, row=row)))


def spliced_sections(context: dict[str, Any], reuse: Reuse) -> dict[str, object]:
    """Context that makes ``report.html`` include each shared result's section as text
    rendered once per run: the partial rendered alone with the include's variables (the
    report's context plus the loop's) is exactly what the ``{% include %}`` emits."""
    texts: dict[int, Markup] = {}
    for key, title, results in context["sections"]:
        for result in results:
            if reuse.is_shared(result):
                loop = {"result": result, "key": key, "title": title, "results": results}
                section = reuse.html(result, partial(_partial, result, context | loop))
                texts[id(result)] = Markup(section)

    def partial_names(result: CheckResult) -> list[str] | list[Template]:
        return [_splice()] if id(result) in texts else view.partial_names(result)

    return {"partial_names": partial_names, "spliced_section": lambda r: texts[id(r)]}


def spliced_snippets(report: Report, context: dict[str, Any], reuse: Reuse) -> dict[str, object]:
    """Context that makes ``report.html`` include the snippets section as text rendered once
    per shared snippets result and choice of the plan's snippet (all the section reads)."""
    result = snippets_result(report)
    if result is None or not reuse.is_shared(result):
        return {}
    snippets, chosen = context["snippets"], context["plan"].snippet
    key = ("snippets-section", next((i for i, s in enumerate(snippets) if s is chosen), None))
    render = partial(environment().get_template("part_snippets.html").render, context)
    section = Markup(reuse.derived(result, key, render))
    return {"snippets_part": _splice_snippets(), "snippets_text": section}


def _partial(result: CheckResult, context: dict[str, Any]) -> str:
    return environment().select_template(view.partial_names(result)).render(context)


@cache
def _splice() -> Template:
    # Included in place of a partial: emits the section's text as it is (Markup: not escaped).
    return environment().from_string("{{ spliced_section(result) }}")


@cache
def _splice_snippets() -> Template:
    return environment().from_string("{{ snippets_text }}")
