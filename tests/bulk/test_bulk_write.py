"""A bulk run's folder writing (``app.bulk_write``): results an earlier report held are pickled
once and travel to each worker once (then by key), and the folder a worker writes from them,
its shared sections spliced, is byte for byte the folder ``report`` writes for that report alone."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from mailcheck.app.bulk_checks import DomainOutcome
from mailcheck.app.bulk_write import FolderWriter, Packer, write_domain
from mailcheck.base.errors import ReportError
from mailcheck.base.model import Report
from mailcheck.checks.mx import MxCheck
from mailcheck.dns.snapshot import Snapshot
from mailcheck.report import bundle
from tests.report.reportdata import (
    FixedCheck,
    build,
    files,
    recording,
    sender_spf_result,
    snippet_result,
)


@pytest.fixture
def html_report() -> tuple[Report, str]:
    """A report with a sender matrix and snippets (the shared kinds), and its evidence."""
    spf = sender_spf_result(
        "account.trimble.com", "mailgun.org", "52.101.68.0/24", ("52.101.68.20", "54.240.27.9")
    )
    snippets = snippet_result([("Postfix client access (IP allowlist)", "52.101.68.20 OK\n")])
    checks = (MxCheck(), FixedCheck(spf), FixedCheck(snippets))
    return build("html.example", recording("html.example"), checks)


def test_shared_results_travel_as_bytes_and_folders_stay_identical(
    html_report: tuple[Report, str], tmp_path: Path
) -> None:
    report, evidence = html_report
    snapshot = Snapshot.from_json(evidence)
    run = [
        dataclasses.replace(report, domain=domain)
        for domain in ("first.example", "second.example", "third.example")
    ]
    packer = Packer()
    packed = [packer.pack(DomainOutcome(each, snapshot)) for each in run]
    assert not any(isinstance(item, tuple) for item in packed[0][1])  # nothing seen before
    assert all(isinstance(item, tuple) and item[1] for item in packed[1][1])  # shared: pickled
    pairs = zip(packed[2][1], packed[1][1], strict=True)
    assert all(item == (key, None) for item, (key, _) in pairs)  # then only the key
    for each, job in zip(run, packed, strict=True):
        row, changes = write_domain(job, tmp_path / "bulk", None)
        alone = tmp_path / "alone" / each.domain
        bundle.write_bundle(each, snapshot.to_json(), alone)
        assert files(tmp_path / "bulk" / each.domain) == files(alone), each.domain
        assert row.domain == each.domain and changes == ""


def test_the_packer_forgets_old_results_and_holds_what_it_remembers(
    html_report: tuple[Report, str],
) -> None:
    report, evidence = html_report
    packer = Packer(recent=3)
    snapshot = Snapshot.from_json(evidence)
    first = packer.pack(DomainOutcome(report, snapshot))
    assert not any(isinstance(item, tuple) for item in first[1])
    # more results than it remembers: the oldest are forgotten, so they are sent as objects
    again = packer.pack(DomainOutcome(report, snapshot))
    assert len(report.checks) > 3
    assert not all(isinstance(item, tuple) for item in again[1])


def test_each_worker_gets_a_shared_result_once_then_its_key(
    html_report: tuple[Report, str],
) -> None:
    report, evidence = html_report
    snapshot = Snapshot.from_json(evidence)
    packer = Packer(workers=2)
    packer.pack(DomainOutcome(report, snapshot), 0)  # first seen: sent as objects
    to_first = packer.pack(DomainOutcome(report, snapshot), 0)[1]
    to_second = packer.pack(DomainOutcome(report, snapshot), 1)[1]
    again_first = packer.pack(DomainOutcome(report, snapshot), 0)[1]
    again_second = packer.pack(DomainOutcome(report, snapshot), 1)[1]
    assert all(isinstance(i, tuple) and i[1] is not None for i in (*to_first, *to_second))
    assert [i[0] for i in to_first] == [i[0] for i in to_second]  # one key, one pickle
    assert all(i[1] is None for i in (*again_first, *again_second))  # already held


def test_a_folder_that_cannot_be_written_fails_the_run(
    html_report: tuple[Report, str], tmp_path: Path
) -> None:
    report, evidence = html_report
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the run's folder should be", encoding="utf-8")
    outcome = DomainOutcome(report, Snapshot.from_json(evidence))

    async def run(writer: FolderWriter) -> None:
        await writer.write(outcome)
        await writer.rows()

    with FolderWriter(blocked, None, print) as writer, pytest.raises(ReportError):
        asyncio.run(run(writer))


def test_the_writer_processes_do_not_import_the_checks():
    # Each folder writer imports this module to unpickle its work: the checks' imports
    # (cryptography, dnspython's resolver, aiosmtpd) would add ~10 MB to every writer.
    code = (
        "import sys, mailcheck.app.bulk_write; "
        "print(sorted(m for m in sys.modules "
        "if m.startswith(('mailcheck.checks', 'cryptography', 'aiosmtpd', 'dns.'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert loaded == "[]"
