"""Analysis as a consumer of the durable store (issue 15 item 8): the analyser process takes
stored messages without an analysis from the index, so a restart analyses what an earlier
run left, a dead worker is replaced without losing its message, and the analyser and its
workers never outlive the sink. Everything over real sockets, DNS from the loopback server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import time
from pathlib import Path

import dkim

from mailcheck.dns.live import Nameserver, ResolverConfig
from mailcheck.report.sink import text_list, text_show
from mailcheck.smtp.backlog import AnalyserProcess
from mailcheck.smtp.message import DkimKey, build_message
from mailcheck.smtp.pickup import BATCH

from .helpers import RawClient, dot_stuff, indexed
from .subprocess_sink import SinkProcess

KEY_FILE = Path(__file__).parent.parent / "data" / "sink" / "dkim-sinktest.pem"
SENDER = "alerts@sinktest.example"  # SPF passes for 127.0.0.1, DMARC aligned


def _signed() -> bytes:
    key = DkimKey.load("sinktest.example", "sel1", KEY_FILE)
    return build_message(SENDER, "b@company.example", dkim_key=key).data


def _slow(copies: int = 3) -> bytes:
    """8 MB of short lines under ``copies`` relaxed DKIM-Signatures: each copy canonicalises
    and hashes the whole body again, so its analysis takes seconds of CPU."""
    body = b"a \r\n" * 2_000_000
    message = f"From: {SENDER}\r\nTo: b@company.example\r\nSubject: slow\r\n\r\n".encode() + body
    relaxed = (b"relaxed", b"relaxed")
    signature = dkim.sign(
        message, b"sel1", b"sinktest.example", KEY_FILE.read_bytes(), canonicalize=relaxed
    )
    return signature * copies + message


async def _send(port: int, message: bytes) -> None:
    client = await RawClient.connect(port)
    await client.ehlo_mail_rcpt(SENDER, "b@company.example")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(message))
    assert (await client.reply()).startswith("250")
    await client.close()


def _send_many(port: int, count: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        for n in range(count):
            body = f"From: {SENDER}\r\nSubject: n{n}\r\n\r\nhi\r\n".encode()
            client.sendmail(SENDER, ["b@company.example"], body)


def _descendants(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [n for kid in kids for n in (int(kid), *_descendants(int(kid)))]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _busy_worker(analyser: int) -> int:
    """The worker process using CPU now (the forkserver's child), waited for (bounded)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for forkserver in Path(f"/proc/{analyser}/task/{analyser}/children").read_text().split():
            for worker in _descendants(int(forkserver)):
                fields = Path(f"/proc/{worker}/stat").read_text().rpartition(")")[2].split()
                if fields[0] == "R" or int(fields[11]) > 50:  # running, or 0.5 s of CPU used
                    return worker
        time.sleep(0.05)
    raise AssertionError("no analysis worker got busy")


def _complete(row: dict[str, object]) -> bool:
    analysis = row["analysis"]
    return isinstance(analysis, dict) and analysis.get("spf", {}).get("result") == "pass"


async def test_a_worker_killed_during_a_batch_is_replaced_and_its_message_analysed(
    make_sink, world
):
    config = ResolverConfig((Nameserver("127.0.0.1", world.port),), timeout=2.0)
    analysis = AnalyserProcess(config, workers=1, cpu_seconds=60)
    sink = await make_sink(analyzer=analysis)
    await _send(sink.port, _slow())
    victim = await asyncio.to_thread(_busy_worker, analysis.pid)
    (row,) = indexed(sink.maildir.path)
    assert row["analysis"] is None  # its batch is in flight
    os.kill(victim, signal.SIGKILL)
    await _send(sink.port, _signed())  # stored meanwhile, analysed by the new worker
    await sink.handler.drain(120)
    rows = indexed(sink.maildir.path)
    assert len(rows) == 2 and all(_complete(row) for row in rows), rows
    # redone alone after the death: the whole result, not "the worker died on this message"
    slow = next(row for row in rows if row["size"] > 2**20)
    assert [d["result"] for d in slow["analysis"]["dkim"]] == ["pass"] * 3
    assert not _alive(victim)
    assert victim not in _descendants(analysis.pid)


async def test_a_restart_analyses_what_an_earlier_run_stored(make_sink, world):
    """A run without analysis leaves rows without one ("not analysed yet" in the list); the
    next run's analyser takes them in batches, oldest first, each once, and reports only the
    messages of its own run."""
    first = await make_sink()
    count = 2 * BATCH + 3  # more than one batch per worker
    await asyncio.to_thread(_send_many, first.port, count)
    await first.close()
    rows = indexed(first.maildir.path)
    assert len(rows) == count and all(row["analysis"] is None for row in rows)
    assert text_list(rows).count("not analysed yet") == count
    assert "verdict:     not analysed yet" in text_show(rows[0])

    config = ResolverConfig((Nameserver("127.0.0.1", world.port),), timeout=2.0)
    second = await make_sink(analyzer=AnalyserProcess(config, workers=2))
    shown: list[dict[str, object]] = []
    second.handler.on_message = shown.append
    await second.handler.drain(120)
    rows = indexed(second.maildir.path)
    assert all(_complete(row) for row in rows)
    assert shown == []  # earlier runs' messages are analysed, not announced
    await _send(second.port, _signed())
    await second.handler.drain(60)
    deadline = time.monotonic() + 10
    while not shown and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    (mine,) = shown
    assert mine["id"] == count + 1 and _complete(mine)
    assert await second.unanalysed() == 0


def test_the_analyser_and_its_workers_die_with_a_killed_sink(tmp_path, world):
    dns = ["--nameserver", f"127.0.0.1:{world.port}", "--timeout", "2"]
    sink = SinkProcess(tmp_path / "Maildir", *dns, analyse=True).start()
    _send_many(sink.port, 1)
    deadline = time.monotonic() + 30
    while not any("dkim=" in line for line in sink.output) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink.proc is not None
    helpers = _descendants(sink.proc.pid)
    assert len(helpers) >= 4  # storage writer, analyser, its forkserver, a worker
    sink.kill()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in helpers if _alive(pid)]
    # the next start finds nothing to repair, and the message kept its analysis
    again = SinkProcess(tmp_path / "Maildir").start()
    again.stop()
    assert not any("startup:" in line for line in again.startup), again.startup
    (row,) = indexed(tmp_path / "Maildir")
    assert row["analysis"] is not None and row["analysis"]["spf"]["result"] == "pass"
