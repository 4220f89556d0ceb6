"""One message of an analysis run, the same in the parent process and in a worker: the run's
fixed context (``MessageJob``, built once), the report for one message, and the compact
result that leaves the worker (``MessageResult``: the rendered text and the message's counts,
so rendering, the other half of the CPU cost, is spread over the workers too).

Each report carries as its evidence the org's lookups plus the ones this message needed, as
the run's one shared resolver recorded them, so it replays alone and is the same whichever
process analysed it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from mailcheck import __version__
from mailcheck.base.model import CheckResult, Finding, ProfileRef, Report, Status
from mailcheck.dns.scoped import ScopedRecorder
from mailcheck.dns.snapshot import EvidenceResolver, Snapshot, evidence_rows
from mailcheck.message import analyze_to_report
from mailcheck.message.inputs import MessageInput
from mailcheck.message.org import OrgContext
from mailcheck.message.tally import Tally
from mailcheck.report import Renderer, ReportFormat
from mailcheck.rulefiles.profiles import SenderProfile

STOPPED_CODE = "MSG025"


@dataclass(frozen=True)
class MessageJob:
    """What every message of a run is analysed against (picklable: sent to each worker)."""

    org: OrgContext
    org_problems: tuple[str, ...]
    base: Snapshot  # the org's lookups: part of every message's evidence
    profile: SenderProfile | None = None
    generated_at: str = ""
    command: tuple[str, ...] = ()
    extra_checks: tuple[CheckResult, ...] = ()  # run-wide results every report shows
    output: ReportFormat | None = None  # render each report in this format
    color: bool = False
    keep_reports: bool = False  # hand the whole report on too (one document at the end)


@dataclass(frozen=True)
class MessageResult:
    """What one message's analysis hands on: its label and worst status, its counts for the
    summary, its rendering (when asked) and its report (when kept)."""

    label: str
    worst: Status
    tally: Tally
    text: str = ""
    report: Report | None = None


def result_of(report: Report, job: MessageJob) -> MessageResult:
    """The compact result of ``report`` for ``job``."""
    tally = Tally()
    tally.add(report)
    text = _renderer(job.output, job.color).render(report) if job.output is not None else ""
    kept = report if job.keep_reports else None
    return MessageResult(report.domain, report.worst_status, tally, text, kept)


@cache
def _renderer(output: ReportFormat, color: bool) -> Renderer:
    return output.renderer(color=color)


async def analyze_one(item: MessageInput, shared: EvidenceResolver, job: MessageJob) -> Report:
    """The report for one message, its lookups asked of ``shared``."""
    scoped = ScopedRecorder(shared, job.base, job.base.recorded_at)
    report = await analyze_to_report(
        item, scoped, job.org, job.profile, job.generated_at, job.command, job.org_problems
    )
    evidence = scoped.evidence()
    return replace(
        report,
        checks=report.checks + job.extra_checks,
        dns_queries=len(evidence.entries),
        evidence=evidence_rows(evidence),
    )


def stopped_report(item: MessageInput, job: MessageJob, why: str) -> Report:
    """The report for a message whose analysis was stopped (it crashed its worker or ran
    out of CPU time): an ERROR for this message, and the run goes on."""
    profile = job.profile
    ref = ProfileRef(profile.id, profile.name, profile.source, profile.sha256) if profile else None
    finding = Finding(STOPPED_CODE, Status.ERROR, f"Analysis of this message stopped: {why}")
    check = CheckResult("message", f"Message analysis: {item.label}", (finding,))
    return Report(
        __version__, job.generated_at, item.label, ref, (check, *job.extra_checks), job.command
    )
