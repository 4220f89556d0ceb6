"""Durable sink versus a bare aiosmtpd server that stores nothing, under the same smtp-source load.

Run from the repository root:  python benchmarks/sink_throughput.py [--messages N] [--sessions S]

``--analysis`` adds a third server, the sink with analysis on (its default), its DNS answered by
NSD serving tests/data/zones/ on loopback: msg/s against bare (target >= 0.8) and durable, the
sink's own CPU per message and peak RSS, how long after the load every message has its
analysis (drain time), how many have complete results (DKIM, SPF, DMARC: no error, no skip;
all must), the peak RSS of every helper and each helper's CPU per message. ``--hostile`` measures
the 500,000-folded-line message: ``analyze`` time (target < 2 s) and the slowest RSET answer
of another session while the sink analyses it (target < 100 ms).

Both servers run as subprocesses on 127.0.0.1 (port 0, read back), one after the other, with
the same Postfix ``smtp-source`` load (2 KB and 100 KB messages). Prints messages per second,
the durable/bare ratio (target >= 0.9), the CPU time each server spent per message (the
durable sink's includes its storage writer process), and the sink's peak RSS (VmHWM) with 100
concurrent sessions and while receiving one 30 MiB message.

RECENTLY_DELETED: every round's Maildir is kept until the whole run ends. On ext4 without a
journal (as on the machines measured here), creating a file scans the inodes deleted in the
last 60 s (up to 6 min while their inode table is not yet written back) and skips them;
deleting each round's 10,000 files made the next round's creates cost ~0.5 ms of kernel time
each (perf: ``recently_deleted`` under ``ext4_create``), which measured the file system's
reaction to our cleanup, not the sink. Start a run several minutes after the last one ended.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
SMTP_SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
BARE = """
import asyncio, sys
from aiosmtpd.smtp import SMTP
class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Discard(), hostname="bare", loop=loop, data_size_limit=None), "127.0.0.1", 0
    )
    print("listening on 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(10**6)
asyncio.run(main())
"""


SENDER = "load@sinktest.example"  # a zone NSD serves: SPF, DMARC and the tree walk resolve
DNS_PORT = 0  # NSD's port once started (--analysis, --hostile)


def start(kind: str, maildir: Path) -> tuple[subprocess.Popen[str], int]:
    """Start a server subprocess and read its port from its first line."""
    if kind == "bare":
        argv = [sys.executable, "-c", BARE]
    else:
        argv = [sys.executable, "-m", "mailcheck", "sink", "--listen", "127.0.0.1:0"]
        argv += ["--maildir", str(maildir), "--no-tls"]
        argv += ["--size-limit", str(40 * 2**20), "--max-per-client", "200"]
        if kind == "analysing":
            argv += ["--nameserver", f"127.0.0.1:{DNS_PORT}", "--timeout", "2"]
        else:
            argv += ["--no-analysis"]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if found:
            # the sink prints a line per message: read on, or a full pipe would stall it
            threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
            return proc, int(found.group(1))
    proc.kill()
    raise SystemExit(f"{kind} server did not start")


def _drain(stream: IO[str]) -> None:
    for _line in stream:
        pass


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def load(port: int, messages: int, sessions: int, size: int) -> float:
    """Seconds smtp-source needs; it aborts (non-zero) on any reply that is not positive."""
    argv = [SMTP_SOURCE, "-d", "-s", str(sessions), "-m", str(messages), "-l", str(size)]
    argv += ["-N", "-f", SENDER, "-t", "sink@example.net", f"127.0.0.1:{port}"]
    started = time.monotonic()
    subprocess.run(argv, check=True, timeout=3600, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


async def send_big(port: int, mebibytes: int) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await reader.readline()
        for command in (b"EHLO bench", b"MAIL FROM:<a@example.com>", b"RCPT TO:<b@example.net>"):
            writer.write(command + b"\r\n")
            while (await asyncio.wait_for(reader.readline(), 30))[3:4] == b"-":
                pass
        writer.write(b"DATA\r\n")
        await reader.readline()
        chunk = (b"z" * 998 + b"\r\n") * 64
        for _ in range(mebibytes * 2**20 // len(chunk) + 1):
            writer.write(chunk)
            await writer.drain()
        writer.write(b".\r\n")
        return (await asyncio.wait_for(reader.readline(), 120)).decode().strip()
    finally:
        writer.close()
        await writer.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs; best counts")
    parser.add_argument("--sizes", default="2,100", help="message sizes in KiB, comma-separated")
    parser.add_argument("--no-memory", action="store_true", help="skip the RSS measurements")
    parser.add_argument("--analysis", action="store_true", help="also the analysing sink")
    parser.add_argument("--hostile", action="store_true", help="the folded-header message")
    args = parser.parse_args()
    kinds = ("bare", "durable", "analysing") if args.analysis else ("bare", "durable")
    nsd = _start_nsd() if args.analysis or args.hostile else None
    try:
        _run(args, kinds)
    finally:
        if nsd is not None:
            nsd.stop()


def _start_nsd() -> Any:
    global DNS_PORT
    sys.path.insert(0, str(ROOT))
    from tests.nsd import NsdServer

    nsd = NsdServer()
    nsd.start()
    DNS_PORT = nsd.port
    return nsd


def _run(args: argparse.Namespace, kinds: tuple[str, ...]) -> None:
    print(f"smtp-source -d -s {args.sessions} -m {args.messages}; CPUs: {os.cpu_count()}; ")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the host skews this)")
    # Every round's Maildir stays until the end: see RECENTLY_DELETED.
    with tempfile.TemporaryDirectory(prefix="sink-bench-") as scratch:
        folders = (Path(scratch) / str(n) for n in itertools.count())
        for size in (int(kib) * 1024 for kib in args.sizes.split(",")):
            best = dict.fromkeys(kinds, 0.0)
            for _ in range(args.rounds):
                for kind in kinds:
                    rate, cpu = round_rate(kind, args.messages, args.sessions, size, next(folders))
                    best[kind] = max(best[kind], rate)
                    print(
                        f"  {size // 1024:>4} KB  {kind:<8} {rate:8.1f} msg/s, "
                        f"server CPU {cpu:.2f} ms/msg",
                        flush=True,
                    )
            ratio = best["durable"] / best["bare"]
            print(
                f"  {size // 1024:>4} KB  best: bare {best['bare']:.1f}, durable "
                f"{best['durable']:.1f} msg/s, durable/bare = {ratio:.2f}",
                flush=True,
            )
            if "analysing" in best:
                ratio = best["analysing"] / best["bare"]
                print(
                    f"  {size // 1024:>4} KB  best: analysing {best['analysing']:.1f} msg/s, "
                    f"analysing/bare = {ratio:.2f} (target >= 0.8), analysing/durable = "
                    f"{best['analysing'] / best['durable']:.2f}",
                    flush=True,
                )
        if not args.no_memory:
            memory(next(folders))
        if args.hostile:
            from sink_hostile import hostile  # benchmarks/sink_hostile.py

            hostile(start, stop, next(folders))


def round_rate(
    kind: str, messages: int, sessions: int, size: int, folder: Path
) -> tuple[float, float]:
    """Messages per second, and the server's CPU milliseconds per message (its helper
    processes included; the sink's own process alone is printed too)."""
    proc, port = start(kind, folder / "Maildir")
    try:
        pids = [proc.pid, *descendants(proc.pid)]
        cpu_before, own_before = sum(cpu_seconds(pid) for pid in pids), cpu_seconds(proc.pid)
        seconds = load(port, messages, sessions, size)
        own = (cpu_seconds(proc.pid) - own_before) / messages * 1000
        if kind != "bare":
            peak = peak_rss_mib(proc.pid)
            print(f"        sink's own process: CPU {own:.2f} ms/msg, peak RSS {peak:.1f} MiB")
        if kind == "analysing":
            analysed_after(folder / "Maildir", messages, seconds, proc.pid)
        cpu = sum(cpu_seconds(pid) for pid in [proc.pid, *descendants(proc.pid)]) - cpu_before
        if kind == "analysing":
            print("        CPU ms/msg by helper (whole run):", helper_cpu(proc.pid, messages))
    finally:
        stop(proc)
    if kind != "bare":
        stored = len(os.listdir(folder / "Maildir" / "new"))
        assert stored == messages, f"{stored} stored, {messages} sent"
    return messages / seconds, cpu / messages * 1000


COMPLETE = "SELECT count(*) FROM messages WHERE json_extract(analysis, '$.spf.result') IS NOT NULL"


def analysed_after(maildir: Path, messages: int, load_seconds: float, pid: int) -> None:
    """Wait (bounded) until every message has its analysis; print when, how many have complete
    results (DKIM, SPF, DMARC: not an error or a skip), and the peak RSS of every process."""
    started = time.monotonic()
    index = maildir / ".mailcheck-index.sqlite3"
    missing = messages
    while time.monotonic() - started < 600:
        with sqlite3.connect(index, timeout=30) as conn:
            (missing,) = conn.execute(
                "SELECT count(*) FROM messages WHERE analysis IS NULL"
            ).fetchone()
        if not missing:
            break
        time.sleep(0.1)
    waited = time.monotonic() - started
    peaks = [peak_rss_mib(p) for p in [pid, *descendants(pid)]]
    with sqlite3.connect(index, timeout=30) as conn:
        (complete,) = conn.execute(COMPLETE).fetchone()
    print(
        f"        analysis: {messages - missing}/{messages} analysed {waited:.1f} s after the "
        f"load ended ({messages / (load_seconds + waited):.0f} msg/s end to end), "
        f"{complete}/{messages} with complete results; peak RSS sink {peaks[0]:.1f} MiB, "
        f"helpers {', '.join(f'{x:.0f}' for x in peaks[1:])} MiB"
    )


def helper_cpu(pid: int, messages: int) -> str:
    """Each helper process's CPU per message: storage writer, analyser, its workers."""
    parts = []
    for child in descendants(pid):
        argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        if argv[1:2] == [b"-m"]:
            name = argv[2].decode().rpartition(".")[2]
        else:
            name = "forkserver/worker" if b"forkserver" in argv[-2] else "other"
        parts.append(f"{name} {cpu_seconds(child) / messages * 1000:.2f}")
    return ", ".join(parts)


def cpu_seconds(pid: int) -> float:
    """User + system time of a running process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def descendants(pid: int) -> list[int]:
    """Children, grandchildren ...: the storage writer, the forkserver and its workers."""
    out = []
    for child in children(pid):
        out += [child, *descendants(child)]
    return out


def memory(folder: Path) -> None:
    proc, port = start("durable", folder / "Maildir")
    try:
        (writer,) = children(proc.pid)
        idle = rss_mib(proc.pid)
        load(port, 1000, 100, 100 * 1024)
        sessions_peak = peak_rss_mib(proc.pid)
        before_big = rss_mib(proc.pid)
        reply = asyncio.run(send_big(port, 30))
        big_peak = peak_rss_mib(proc.pid)
        writer_peak = peak_rss_mib(writer)
    finally:
        stop(proc)
    print(f"peak RSS: idle {idle:.1f} MiB; 100 sessions x 100 KB: {sessions_peak:.1f} MiB")
    print(f"30 MiB message ({reply[:3]}): RSS before {before_big:.1f} MiB, peak {big_peak:.1f} MiB")
    print(f"storage writer process: peak RSS {writer_peak:.1f} MiB over the whole memory run")


if __name__ == "__main__":
    main()
