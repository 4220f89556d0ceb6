"""Terminal text: the verdict first, then findings worst first; colour only when asked.

The CLI asks for colour only on a TTY without ``NO_COLOR`` (https://no-color.org/). DNS data is
untrusted here too: control characters are shown escaped, never sent to the terminal.
"""

from __future__ import annotations

from pathlib import Path

from mailcheck.base.model import Finding, Report, Status
from mailcheck.facts.audit import AuditFacts
from mailcheck.report import actions, tell_sender, view
from mailcheck.report.sender_matrix import render_matrix

_COLORS = {
    Status.PASS: "32",
    Status.INFO: "36",
    Status.WARN: "33",
    Status.FAIL: "31",
    Status.ERROR: "35",
}
SUMMARY_SENDER = 8  # the sender's problems listed after writing a folder (all with --stdout)


class TextRenderer:
    """See ``Renderer``."""

    def __init__(self, *, color: bool = False) -> None:
        self.color = color

    def render(self, report: Report) -> str:
        """See ``Renderer.render``: the plan, then every finding with its evidence."""
        return self._document(report, full=True, folder=None)

    def summary(self, report: Report, folder: Path | None = None) -> str:
        """The short form printed after writing the report folder ``folder``: verdict, what
        to do (with the snippet's path in that folder), the sender's worst problems."""
        return self._document(report, full=False, folder=folder)

    def sender_report(self, report: Report) -> str:
        """``mailcheck sender`` in full: the decision, the SPF matrix after it, then what to
        tell the sender."""
        text = self.sender(report, render_matrix(report))
        return text + tell_sender.to_text(tell_sender.tell_the_sender(report))

    def sender(self, report: Report, matrix: str) -> str:
        """``mailcheck sender``: the decision about the sender and its problems first, then
        the SPF ``matrix`` block, then every finding with its evidence."""
        todo = actions.plan(report, ())
        lines = [
            *self._head(report),
            *self._sender(todo, False, limit=len(todo.sender)),
            *([matrix.rstrip("\n"), ""] if matrix else []),
            "Every finding with its evidence",
            *(self._finding(f, True, indent="  ") for f in report.findings),
            "",
            self._footer(report),
        ]
        return "\n".join(lines) + "\n"

    def _document(self, report: Report, *, full: bool, folder: Path | None) -> str:
        todo = actions.plan(report, view.snippets(report))
        lines = [
            *self._head(report),
            *self._yours(todo, folder, full),
            *self._sender(todo, full),
            *self._rest(todo, full),
            self._footer(report),
        ]
        return "\n".join(lines) + "\n"

    def _head(self, report: Report) -> list[str]:
        verdict = view.verdict(report, view.snippets(report))
        profile = f" for {report.profile.name} ({report.profile.id})" if report.profile else ""
        answer = self._paint(verdict.status, f"{verdict.answer}.", bold=True)
        return [
            f"mailcheck {report.tool_version} — {report.domain}{profile}",
            f"{answer} {_printable(verdict.headline)}",
            f"  {_printable(verdict.action)}",
            "",
        ]

    def _footer(self, report: Report) -> str:
        return (
            f"{view.plural(len(report.findings), 'finding')}, "
            f"{view.plural(report.dns_queries, 'DNS lookup')}, data as of {report.generated_at}"
        )

    def _yours(self, todo: actions.Plan, folder: Path | None, full: bool) -> list[str]:
        lines = ["What you should do"]
        for number, step in enumerate(todo.yours, start=1):
            if step.finding is not None:  # a finding of yours: its status, code and evidence
                lines.append(self._finding(step.finding, full, "     ", lead=f"  {number}. "))
                continue
            lines.append(f"  {number}. {_printable(step.text)}")
            if step.snippet and todo.snippet is not None:
                lines += _snippet_lines(todo.snippet, folder, step.snippet, full)
        if not todo.yours:
            lines.append("  Nothing: no change is needed on your side.")
        return [*lines, ""]

    def _sender(self, todo: actions.Plan, full: bool, limit: int = SUMMARY_SENDER) -> list[str]:
        if not todo.sender:
            return []
        shown = todo.sender if full else todo.sender[:limit]
        lines = [f"What the sender should fix ({len(todo.sender)})"]
        lines += [self._finding(f, full, indent="  ") for f in shown]
        if len(shown) < len(todo.sender):
            lines.append(f"  … {len(todo.sender) - len(shown)} more in report.html")
        return [*lines, ""]

    def _rest(self, todo: actions.Plan, full: bool) -> list[str]:
        if not todo.rest:
            return []
        if not full:
            count = len(todo.rest)
            noun = "1 note or pass" if count == 1 else f"{count} notes and passes"
            return [f"Everything else: {noun}, in report.html.", ""]
        lines = [f"Everything else ({len(todo.rest)})"]
        return [*lines, *(self._finding(f, full, indent="  ") for f in todo.rest), ""]

    def _finding(
        self, finding: Finding, evidence: bool, indent: str = "", lead: str | None = None
    ) -> str:
        """One finding line (``lead`` instead of ``indent`` before it), then its evidence."""
        icon = view.ICONS[finding.status]
        label = self._paint(finding.status, f"{icon} {finding.status.value.upper():<5}")
        first = indent if lead is None else lead
        line = f"{first}{label} {finding.code} {_printable(finding.summary)}"
        extra = [f"{indent}        {_printable(e)}" for e in finding.evidence] if evidence else []
        return "\n".join([line, *extra])

    def _paint(self, status: Status, text: str, *, bold: bool = False) -> str:
        if not self.color:
            return text
        weight = "1;" if bold else ""
        return f"\x1b[{weight}{_COLORS[status]}m{text}\x1b[0m"


def audit_text(facts: AuditFacts, findings: tuple[Finding, ...]) -> str:
    """``mailcheck audit`` as text: one line per entry (``AuditResult.to_check``'s findings),
    the details indented, then the replacement."""
    files = ", ".join(f.file for f in facts.files)
    lines = [f"audit of {files} against {facts.profile}"]
    for finding in findings:
        lines.append(f"{finding.status.value.upper():<5} {finding.code} {finding.summary}")
        lines += [f"      {e}" for e in finding.evidence]
        if finding.detail:
            lines.append(f"      {finding.detail}")
    counts = {s: sum(1 for f in findings if f.status is s) for s in Status}
    lines.append(
        f"{len(findings)} entries: {counts[Status.FAIL]} admit forged mail, "
        f"{counts[Status.WARN]} to fix, {counts[Status.PASS]} documented, "
        f"{counts[Status.INFO]} unrelated"
    )
    lines += ["", "Least-privilege replacement:", facts.replacement]
    return "\n".join(lines) + "\n"


def _snippet_lines(
    snippet: view.SnippetView, folder: Path | None, path: str, full: bool
) -> list[str]:
    """Under the paste step: where the file is, its risk, how to undo it (and, printed in
    full, the text itself, since no folder was written)."""
    where = (
        f"File: {folder / path}"
        if folder is not None
        else (f"Write it with: mailcheck snippets --filter {snippet.filter} --output snippets/")
    )
    risk = f"Risk: {snippet.risk.upper()}" + (
        f" — {snippet.risk_reason}" if snippet.risk_reason else ""
    )
    lines = [where, risk, *(f"Undo: {u}" for u in snippet.undo)]
    if full:
        lines += ["Text:", *(f"  {line}" for line in snippet.text.splitlines())]
    return [f"     {_printable(line)}" for line in lines]


def _printable(text: str) -> str:
    """DNS data is untrusted: no escape sequences or control characters reach the terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
