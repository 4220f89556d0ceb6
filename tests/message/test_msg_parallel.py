"""``analyze`` on several cores: worker processes parse and judge, the parent's one resolver
answers their DNS, and the output is the same, byte for byte and in the same order, as in one
process. A hostile message is stopped and recorded; the run goes on; memory is bounded by a
window of messages in flight (checked by counting, not by timing)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailcheck.app.analyze import AnalyzeRequest, message_job, stream_messages
from mailcheck.app.analyze_message import STOPPED_CODE
from mailcheck.app.analyze_pool import WorkerPool, analyse_in_order
from mailcheck.app.resolver import DnsOptions
from mailcheck.cli import main
from mailcheck.dns.snapshot import Snapshot
from mailcheck.message.inputs import read_inputs
from tests.message.msg_helpers import CORPUS, REPO
from tests.nameserver import LoopbackNameserver, quote_txt, zones_from_records

SNAPSHOT = CORPUS / "dns-snapshot.json"
MESSAGES = sorted(CORPUS.glob("*.eml"))
ORG = ["--org-domain", "msgtest.example"]
_JOBS = re.compile(r'("--jobs",\s*)"\d"')
SIGNED = [m for m in MESSAGES if m.name != "forged-authres.eml"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus four times over (56 messages, unchanged so their DKIM signatures verify),
    plus a file that is not a message."""
    path = tmp_path_factory.mktemp("many")
    for round_ in range(4):
        for message in MESSAGES:
            shutil.copy(message, path / f"{round_}-{message.name}")
    (path / "notes.md").write_text("not a message\n", encoding="utf-8")
    return path


def _run(args: list[str], jobs: int, out: Path) -> tuple[int, str]:
    code = main(["analyze", *args, "--jobs", str(jobs), "--output", str(out)])
    # the command line each report echoes is the only thing that names the job count
    text = _JOBS.sub(r'\1"1"', out.read_text(encoding="utf-8"))
    out.unlink()
    return code, text


def _same(one: tuple[int, str], two: tuple[int, str]) -> None:
    """Byte for byte; on a difference, name the first line that differs (not 2 MB of diff)."""
    assert one[0] == two[0]
    lines = zip(one[1].splitlines(), two[1].splitlines(), strict=False)
    first = next((n for n, (a, b) in enumerate(lines) if a != b), None)
    assert first is None, f"line {first} differs"
    assert one[1] == two[1]


@pytest.mark.parametrize("output", [["--format", "jsonl"], ["--json"], []])
def test_two_jobs_write_what_one_job_writes(folder: Path, tmp_path: Path, output) -> None:
    args = [str(folder), *ORG, "--snapshot", str(SNAPSHOT), *output]
    one = _run(args, 1, tmp_path / "out")
    two = _run(args, 2, tmp_path / "out")
    _same(one, two)
    if output == ["--format", "jsonl"]:
        lines = [json.loads(line) for line in two[1].splitlines()]
        assert len(lines) == 4 * len(MESSAGES) + 1
        names = [Path(line["domain"]).name for line in lines[:-1]]
        assert names == sorted(f"{r}-{m.name}" for r in range(4) for m in MESSAGES)
        assert lines[-1]["summary"]["messages"] == 4 * len(MESSAGES)


def _corpus_zones():
    """Every answer of the corpus's snapshot as zone data, served over UDP/TCP."""
    served: dict[str, list[tuple[str, str]]] = {}
    for (name, rrtype), entry in Snapshot.load(SNAPSHOT).entries.items():
        answer = entry.answer
        if answer is None or answer.outcome.value != "answer":
            continue
        for record in answer.records:
            if rrtype.value == "TXT":
                raw = record.encode()
                text = quote_txt(*[raw[i : i + 255] for i in range(0, len(raw), 255)])
            else:
                text = record if rrtype.value != "MX" else record + "."
            served.setdefault(name, []).append((rrtype.value, text))
    return zones_from_records(served)


_TIMES = re.compile(r'"(time|generated_at|recorded_at)": "[^"]*"')


def test_live_dns_dkim_keys_from_the_zones_each_question_asked_once(
    folder: Path, tmp_path: Path
) -> None:
    with LoopbackNameserver(_corpus_zones()) as server:
        live = [str(folder), *ORG, "--nameserver", f"{server.host}:{server.port}"]
        live += ["--format", "jsonl", "--record", str(tmp_path / "evidence.json")]
        one = _run(live, 1, tmp_path / "out")
        server.reset_counters()
        two = _run(live, 2, tmp_path / "out")
        evidence = Snapshot.load(tmp_path / "evidence.json")
        asked = {key: server.counters.count(*key) for key in evidence.entries}
    # live answers carry the time they came: the rest is the same
    _same((one[0], _TIMES.sub("", one[1])), (two[0], _TIMES.sub("", two[1])))
    # the workers' questions went through the parent's one cached resolver
    assert set(asked.values()) == {1}
    assert server.counters.total == len(asked)
    reports = [json.loads(line) for line in two[1].splitlines()[:-1]]
    verified = {
        Path(r["domain"]).name.split("-", 1)[1]
        for r in reports
        for check in r["checks"]
        for f in check["findings"]
        if f["code"] == "MSG011"
    }
    assert verified == {m.name for m in SIGNED}  # their keys came from the zone over UDP


def _hostile() -> bytes:
    """Ten copies of a real DKIM signature over a 21 MB body: every one is checked (the
    library's limit is ten), about six seconds of CPU."""
    data = (CORPUS / "m365-spam-scl5.eml").read_bytes()
    signature = re.search(rb"^DKIM-Signature:.*?\r\n(?=\S)", data, re.M | re.S)
    assert signature is not None
    return signature.group(0) * 9 + data + b"a  \t b   c \t\r\n" * 1_500_000


def test_a_message_over_its_cpu_limit_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    for n, message in enumerate(MESSAGES[:4]):
        shutil.copy(message, tmp_path / f"{n}-{message.name}")
    (tmp_path / "1a-hostile.eml").write_bytes(_hostile())
    request = AnalyzeRequest(
        str(tmp_path),
        DnsOptions(SNAPSHOT),
        org_domain="msgtest.example",
        jobs=2,
        cpu_seconds=1,
        keep_reports=True,
    )
    reports = []
    result = asyncio.run(stream_messages(request, lambda m: reports.append(m.report)))
    assert [Path(r.domain).name for r in reports] == sorted(p.name for p in tmp_path.iterdir())
    (stopped,) = [r for r in reports if r.domain.endswith("hostile.eml")]
    assert [(f.code, f.status.value) for f in stopped.findings] == [(STOPPED_CODE, "error")]
    assert "more than 1 s of CPU" in stopped.findings[0].summary
    others = [r for r in reports if r is not stopped]
    assert all(any(f.code == "MSG001" for f in r.findings) for r in others)
    assert result.tally.messages == 5 and result.tally.verdicts["unknown"] == 1


def _pool(size: int) -> tuple[WorkerPool, AnalyzeRequest]:
    from mailcheck.app.resolver import open_resolver

    request = AnalyzeRequest(str(CORPUS), DnsOptions(SNAPSHOT), org_domain="msgtest.example")
    resolver = open_resolver(request.dns)
    job = asyncio.run(message_job(request, resolver))
    return WorkerPool(job, resolver, size), request


def test_in_flight_messages_never_exceed_the_window(folder: Path) -> None:
    pool, _ = _pool(2)
    read, handed = [0], []

    def counted():
        for item in read_inputs(str(folder)):
            read[0] += 1
            yield item

    def done(result) -> None:
        handed.append(result.label)
        assert read[0] - len(handed) < 3  # this one was handed on: fewer than 3 left in flight

    async def run() -> None:
        pool.start()
        try:
            await analyse_in_order(counted(), pool, done, window=3)
        finally:
            pool.close()

    asyncio.run(run())
    assert len(handed) == read[0] == 4 * len(MESSAGES)
    assert handed == sorted(handed)


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_killed_workers_are_replaced_and_their_messages_redone(folder: Path) -> None:
    pool, _ = _pool(2)
    reports = []

    async def run() -> None:
        pool.start()
        try:
            killed = pool.pids()
            for pid in killed:
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while pool.pids() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert len(killed) == 2 and not pool.pids()
            await analyse_in_order(read_inputs(str(CORPUS)), pool, reports.append, window=4)
            assert all(r.report is None and r.text == "" for r in reports)
        finally:
            pool.close()

    asyncio.run(run())
    assert [Path(r.label).name for r in reports] == [m.name for m in MESSAGES]
    assert all(r.tally.messages == 1 and r.tally.verdicts["unknown"] == 0 for r in reports)
    assert len(pool.pids()) == 0  # closed


def _start_big_run(tmp_path: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """``analyze --jobs 2`` over far more messages than it can do before it is stopped, and
    its two workers once they run."""
    mbox = tmp_path / "big.mbox"
    with mbox.open("wb") as out:
        for message in MESSAGES * 200:
            out.write(b"From MAILER-DAEMON Sun Nov 22 03:00:00 2026\n" + message.read_bytes())
            out.write(b"\n")
    command = [sys.executable, "-m", "mailcheck", "analyze", str(mbox), *ORG]
    command += ["--snapshot", str(SNAPSHOT), "--jobs", "2", "--format", "jsonl"]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=REPO, start_new_session=True)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
        workers = _grandchildren(parent.pid)  # the forkserver's children
        time.sleep(0.05)
    return parent, workers


def _all_gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 10
    while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return all(_gone(p) for p in pids)


def test_workers_end_with_a_killed_parent(tmp_path: Path) -> None:
    """SIGKILL leaves no clean-up to the parent: its workers must still go."""
    parent, workers = _start_big_run(tmp_path)
    with parent:
        assert len(workers) == 2, "the workers never started"
        parent.kill()
    assert _all_gone(workers)


def test_ctrl_c_stops_the_run_and_its_workers(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: the workers ignore it, the parent stops them
    and exits 130."""
    parent, workers = _start_big_run(tmp_path)
    with parent:
        assert len(workers) == 2, "the workers never started"
        os.killpg(parent.pid, signal.SIGINT)
        assert parent.wait(30) == 130
    assert _all_gone(workers)


def _grandchildren(pid: int) -> list[int]:
    """The processes whose parent's parent is ``pid``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return [g for c in children.get(pid, []) for g in children.get(c, [])]


def test_allow_unsafe_networks_shows_net002_with_each_message(tmp_path: Path, capsys) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    profile = (CORPUS / "profiles" / "msgsender.toml").read_text(encoding="utf-8")
    unsafe = '\n[[networks]]\nnetwork = "10.0.0.0/8"\n'
    (rules / "msgsender.toml").write_text(profile + unsafe, encoding="utf-8")
    base = ["analyze", str(MESSAGES[0]), *ORG, "--snapshot", str(SNAPSHOT), "--rules", str(rules)]
    base += ["--profile", "msgsender", "--format", "jsonl"]
    assert main(base) == 3  # refused without the flag
    capsys.readouterr()
    main([*base, "--allow-unsafe-networks"])
    (report, _summary) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (check,) = [c for c in report["checks"] if c["check"] == "profile-networks"]
    assert [(f["code"], f["status"], f["subject"]) for f in check["findings"]] == [
        ("NET002", "warn", "10.0.0.0/8")
    ]


def test_dns_errors_cross_the_process_boundary_intact() -> None:
    """A worker re-raises the parent's lookup failure: same class, text and fields."""
    import pickle

    from mailcheck.base.errors import DnsServerError, DnsTimeoutError, InputError

    for error in (
        DnsServerError("sel1._domainkey.msgsender.example", "TXT", "SERVFAIL"),
        DnsTimeoutError("msgtest.example", "MX", "no answer in 2 s"),
        InputError("org_network", "bad CIDR"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert copy.__dict__ == error.__dict__
