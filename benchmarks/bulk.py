"""Bulk ``mailcheck report`` against the loopback test nameserver, and checkdmarc beside it.

The world (benchmarks/bulk_world.py) is served by a child process with 20 ms (and 0 ms) added
before every reply and counts every query. Measured in the same run, on the same data and
server:

- ``mailcheck report --domains-file`` (every domain's folder written, as a user runs it), and
  the checks alone (library, no folders), for wall time, domains/s, queries per domain
  (server-counted), questions asked more than once, peak RSS (the largest process, and the
  sum over the whole process tree: the folders are written by worker processes) and CPU per
  domain of the whole tree;
- checkdmarc (latest from PyPI, installed into this benchmark's own venv, its default
  settings, pointed at the loopback server) on a sample of the same domains, scaled: its
  domains are checked one after another, so the sample's rate is its rate;
- the lower bound: the longest chain of dependent lookups times the delay, plus one timeout
  for the never-answering zones (one lookup's: all its attempts, as both runs retry), plus
  the measured CPU per query times the queries.

No traffic leaves the machine. ``--domains 10000`` shows how memory grows with N. What stays:
the interpreters and modules (the main process, two folder writers that import no checks, the
forkserver and multiprocessing's resource tracker: about 165 MB in all); per domain in the main
process only the run's resolver cache and evidence of every answer (what ``--record`` writes;
about 5 KB a domain, the checks-only figure) and its summary row, about 10 KB a domain in all,
plus the summary files built at the end (the run's own report, proportional to N). Finished
reports are not kept: at most ``--concurrency`` are being checked and 4 per writer wait to be
written, and the writers' caches (shared results, their rendered text) are bounded.

Before each folder run the file system is probed (ms to create a folder of 18 files, printed):
ext4 creates files about a hundred times slower for five minutes after many were deleted
nearby, so a run right after another run's clean-up measures the disk, not mailcheck. Every
report folder is kept until all measurements are done. ``--reports-dir`` writes them elsewhere.

    python benchmarks/bulk.py [--domains 1000] [--checkdmarc-sample 40] [--reports-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bulk_world import build  # noqa: E402
from mailcheck.app.resolver import DnsOptions  # noqa: E402

TIMEOUT = 1.0  # per attempt, for both tools' runs here: the never-answering zones cost this
# mailcheck's attempts per lookup (its default retries, in both of its runs): a never-answering
# zone is given up after ATTEMPTS x TIMEOUT, the "one timeout" of the lower bound
ATTEMPTS = DnsOptions().retries + 1
CHECKDMARC_VENV = Path(
    os.environ.get("MAILCHECK_CHECKDMARC_VENV")
    or Path.home() / ".cache" / "mailcheck" / "bench-checkdmarc-venv"
)
# Runs a command and prints its exit code, wall time, the peak RSS (KiB) of the largest single
# process (rusage), CPU seconds (rusage: it and the children it waited for) and, sampled every
# 0.2 s from /proc, the peak of the summed RSS of its whole process tree and the tree's CPU
# seconds (the folder-writing worker processes included; a forkserver's grandchildren are
# not always in the rusage).
MEASURE = """
import os, resource, subprocess, sys, time
TICK = os.sysconf("SC_CLK_TCK")
def tree(root):
    children = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, ... utime at 11, stime 12
        children.setdefault(int(fields[1]), []).append((int(name), fields))
    found, todo = [], [root]
    while todo:
        for pid, fields in children.get(todo.pop(), []):
            found.append((pid, fields))
            todo.append(pid)
    return found
def rss(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
    except OSError:
        return 0
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak, cpu = 0, {}
while child.poll() is None:
    procs = tree(os.getpid())
    peak = max(peak, sum(rss(pid) for pid, _ in procs))
    for pid, fields in procs:
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
    time.sleep(0.2)
code = child.wait()
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(code, wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, peak, sum(cpu.values()))
"""
# The checks alone through the library: the same run without writing 1,000 folders.
CHECKS_ONLY = """
import asyncio, sys
from pathlib import Path
from mailcheck.app.report import report_checks
from mailcheck.app.resolver import DnsOptions, open_resolver
from mailcheck.app.bulk_checks import BulkRequest, run_bulk
from mailcheck.dns.live import Nameserver
from mailcheck.rulefiles.profiles import get_profile
port, path = int(sys.argv[1]), Path(sys.argv[2])
domains = tuple(path.read_text().split())
server = (Nameserver("127.0.0.1", port),)
options = DnsOptions(nameservers=server, timeout=float(sys.argv[3]))  # the CLI's retries
shared = open_resolver(options)
profile = get_profile("trimble-identity")
request = BulkRequest(domains, profile, report_checks(), ("bench",), 200)
async def done(outcome):
    outcome.report.worst_status
asyncio.run(run_bulk(request, shared, done))
"""
CHECKDMARC = """
import sys, time
import checkdmarc
from dns.nameserver import Do53Nameserver
port, path = int(sys.argv[1]), sys.argv[2]
domains = open(path).read().split()
checkdmarc.check_domains(domains, nameservers=[Do53Nameserver("127.0.0.1", port)])
"""


class Server:
    """The world's nameserver child: ``stats()`` and ``reset()`` over its stdin/stdout."""

    def __init__(self, domains: int, delay_ms: float) -> None:
        command = [sys.executable, str(ROOT / "benchmarks" / "bulk_world.py")]
        command += ["--domains", str(domains), "--delay-ms", str(delay_ms)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"world server did not start: {line!r}")
        self.port = int(line.split()[1])

    def ask(self, command: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline()

    def stats(self) -> dict[str, Any]:
        return dict(json.loads(self.ask("stats")))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Wall time, peak RSS (MB) and CPU seconds of ``command`` (in a fresh measuring process)."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    ).stdout.split()
    return {
        "code": int(out[0]),
        "wall": float(out[1]),
        "rss_mb": int(out[2]) / 1024,
        "cpu": float(out[3]),
        "tree_rss_mb": int(out[4]) / 1024,
        "tree_cpu": float(out[5]),
    }


def checkdmarc_python() -> Path:
    """The benchmark's own venv with the latest checkdmarc from PyPI (made once, then reused)."""
    python = CHECKDMARC_VENV / "bin" / "python"
    if not python.exists():
        venv.create(CHECKDMARC_VENV, with_pip=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--upgrade", "checkdmarc"], check=True
        )
    return python


def folder_creation_ms(where: Path, folders: int = 50) -> float:
    """Milliseconds to create a folder of 18 small files at ``where``.

    Folder writing is measured on a real file system, and ext4 can make that slow for minutes:
    for five minutes after many files were deleted nearby it skips each freed inode in turn
    (``recently_deleted``), about 1 ms of kernel CPU per new file instead of 10 µs. The figure
    is printed so a run on such a file system is seen for what it is. The probe's files stay
    until the end of the benchmark: deleting them here would slow the run that follows."""
    probe = where / f"fs-probe-{os.getpid()}-{time.monotonic_ns()}"
    start = time.perf_counter()
    for n in range(folders):
        folder = probe / str(n) / "snippets"
        folder.mkdir(parents=True)
        for name in range(18):
            (folder / str(name)).write_bytes(b"x" * 2000)
    elapsed = time.perf_counter() - start
    return elapsed / folders * 1000


def run_round(args: argparse.Namespace, delay_ms: float, work: Path) -> dict[str, object]:
    world = build(args.domains)
    domains_file = work / f"domains-{delay_ms:g}.txt"
    domains_file.write_text("\n".join(world.domains) + "\n", encoding="utf-8")
    server = Server(args.domains, delay_ms)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        result: dict[str, object] = {"delay_ms": delay_ms}
        flag = ["--nameserver", f"127.0.0.1:{server.port}", "--timeout", str(TIMEOUT)]
        cli = [sys.executable, "-m", "mailcheck", "report", "--domains-file", str(domains_file)]
        out = (args.reports_dir or work) / f"reports-{delay_ms:g}-{os.getpid()}"
        if not args.checks_only:
            result["fs_ms"] = folder_creation_ms(out.parent)
            run = [*cli, *flag, "--output", str(out), "--quiet"]
            result["mailcheck"] = measure(run, env) | server.stats()
            server.ask("reset")
        checks = [
            sys.executable,
            "-c",
            CHECKS_ONLY,
            str(server.port),
            str(domains_file),
            str(TIMEOUT),
        ]
        result["checks_only"] = measure(checks, env) | server.stats()
        server.ask("reset")
        if args.checkdmarc_sample:
            sample = work / f"sample-{delay_ms:g}.txt"
            sample.write_text("\n".join(world.domains[: args.checkdmarc_sample]) + "\n")
            python = str(checkdmarc_python())
            result["checkdmarc"] = (
                measure([python, "-c", CHECKDMARC, str(server.port), str(sample)]) | server.stats()
            )
        return result
    finally:
        server.close()


def report(args: argparse.Namespace, rounds: list[dict[str, object]], chain: int) -> None:
    n = args.domains
    for r in rounds:
        delay = float(r["delay_ms"]) / 1000  # type: ignore[arg-type]
        print(f"\n== {n} domains, {r['delay_ms']} ms per answer ==")
        mc, co = r.get("mailcheck"), r["checks_only"]
        assert isinstance(co, dict)
        cpu_per_query = co["cpu"] / max(co["total"], 1)
        # the checks run on one core (one event loop), so their CPU adds up on one
        bound = chain * delay + ATTEMPTS * TIMEOUT + cpu_per_query * co["total"]
        if "fs_ms" in r:
            fs_ms = float(r["fs_ms"])  # type: ignore[arg-type]
            slow = "  SLOW: files were deleted here recently; rerun later" if fs_ms > 2 else ""
            print(f"file system: {fs_ms:.2f} ms to create a folder of 18 files{slow}")
        runs = (("mailcheck report (folders written)", mc), ("mailcheck checks only", co))
        for name, m in ((name, m) for name, m in runs if isinstance(m, dict)):
            print(
                f"{name:38} wall {m['wall']:7.2f} s  {n / m['wall']:8.1f} domains/s  "
                f"{m['total'] / n:5.1f} queries/domain  {m['repeated_not_silent']} repeated "
                f"(+{m['repeated'] - m['repeated_not_silent']} retries to silent zones)  "
                f"peak RSS {m['rss_mb']:6.1f} MB (all processes {m['tree_rss_mb']:6.1f} MB)  "
                f"CPU {m['tree_cpu'] / n * 1000:4.1f} ms/domain  exit {m['code']}"
            )
            if m["repeated_names"]:
                print(f"{'':38} asked more than once: {', '.join(m['repeated_names'])}")
        folders = f"folders written {mc['wall'] / bound:.2f}, " if isinstance(mc, dict) else ""
        print(
            f"lower bound: chain {chain} x {delay * 1000:g} ms + one lookup's timeout "
            f"({ATTEMPTS} attempts x {TIMEOUT:g} s) + CPU {cpu_per_query * 1e6:.0f} µs/query x "
            f"{co['total']} queries = {bound:.2f} s; wall / bound: {folders}"
            f"checks only {co['wall'] / bound:.2f} (target <= 2)"
        )
        cd = r.get("checkdmarc")
        if isinstance(cd, dict):
            sample = args.checkdmarc_sample
            rate = sample / cd["wall"]
            print(
                f"{'checkdmarc (sample of ' + str(sample) + ')':38} wall {cd['wall']:7.2f} s  "
                f"{rate:8.2f} domains/s  {cd['total'] / sample:5.1f} queries/domain  "
                f"peak RSS {cd['rss_mb']:6.1f} MB  (1,000 domains: {n / rate / 60:.1f} min)"
            )
            report_rate = f"report {n / mc['wall'] / rate:.0f}x, " if isinstance(mc, dict) else ""
            print(
                f"speed-up: {report_rate}checks only "
                f"{n / co['wall'] / rate:.0f}x checkdmarc's domains/s (target >= 100x)"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--delays", default="20,0", help="ms per answer, comma-separated")
    parser.add_argument("--checkdmarc-sample", type=int, default=40, help="0: skip checkdmarc")
    parser.add_argument("--chain", type=int, default=4, help="longest dependent-lookup chain")
    parser.add_argument(
        "--checks-only", action="store_true", help="skip the run that writes every folder"
    )
    parser.add_argument(
        "--reports-dir",
        type=Path,
        help="where the report folders are written (default: the run's temporary folder); "
        "they are removed at the end either way",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mailcheck-bulk-") as tmp:
        try:
            rounds = [run_round(args, float(d), Path(tmp)) for d in args.delays.split(",")]
        finally:  # removed only after every measurement: see folder_creation_ms
            where = args.reports_dir or Path(tmp)
            for pattern in (f"reports-*-{os.getpid()}", f"fs-probe-{os.getpid()}-*"):
                for folder in where.glob(pattern):
                    shutil.rmtree(folder)
    report(args, rounds, args.chain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
