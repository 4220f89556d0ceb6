"""``mailcheck analyze`` over many messages: both cores used, peak memory flat whatever the
count.

Builds folders and mboxes of N messages from the test corpus (tests/data/messages/*.eml, each
copy with its own Message-ID), then measures in the same run, on the same files:

- the code before streaming (``--baseline``, unpacked with ``git archive``): ``analyze DIR
  --json`` and an mbox, 1,000 messages each (it holds every report until the end);
- the code before worker processes (``--before``, one process, streamed): ``--format jsonl``;
- this tree with ``--jobs 1`` (in process) and ``--jobs 2`` (two worker processes).

All replay the corpus's DNS snapshot, so only the analysis is measured. Prints wall time,
messages/s, the ratio to the one-process code, peak RSS (the largest sum over the whole
process tree: parent, forkserver, workers; sampled every 20 ms), and CPU seconds: the tree's
and its busiest process's. The machine may be shared: the CPU figures do not depend on load,
and on idle cores the wall time is about max(busiest, total / cores).

    python benchmarks/messages.py [--sizes 1000,10000,50000] [--big-jobs 2]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "messages"
SNAPSHOT = CORPUS / "dns-snapshot.json"
ORG = ["--org-domain", "msgtest.example", "--snapshot", str(SNAPSHOT)]
MEASURE = """
import os, subprocess, sys, time
TICK = os.sysconf("SC_CLK_TCK")

def tree(root):
    children, seen = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(pid))
        cpu = (int(fields[11]) + int(fields[12])) / TICK
        seen[int(pid)] = (int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024, cpu)
    found, queue = {}, [root]
    while queue:
        pid = queue.pop()
        found[pid] = seen.get(pid, (0, 0.0))
        queue += children.get(pid, [])
    return found

start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak, cpu = 0, {}
while process.poll() is None:
    now = tree(process.pid)
    peak = max(peak, sum(rss for rss, _ in now.values()))
    for pid, (_, used) in now.items():
        cpu[pid] = max(cpu.get(pid, 0.0), used)
    time.sleep(0.02)
wall = time.perf_counter() - start
print(process.returncode, wall, peak, sum(cpu.values()), max(cpu.values(), default=0.0))
"""
_MESSAGE_ID = re.compile(rb"^Message-ID:[^\r\n]*", re.I | re.M)


def corpus() -> list[bytes]:
    return [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]


def copy(message: bytes, n: int) -> bytes:
    """The message with its own Message-ID (the DKIM signature then fails: still analysed)."""
    return _MESSAGE_ID.sub(f"Message-ID: <bench-{n}@bench.example>".encode(), message, count=1)


def build_folder(folder: Path, count: int, messages: list[bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text("# not a message: skipped and counted\n", encoding="utf-8")
    for n in range(count):
        (folder / f"{n:06d}.eml").write_bytes(copy(messages[n % len(messages)], n))
    return folder


def build_mbox(path: Path, count: int, messages: list[bytes]) -> Path:
    with path.open("wb") as out:
        for n in range(count):
            body = copy(messages[n % len(messages)], n).replace(b"\r\n", b"\n")
            separator = b"From MAILER-DAEMON Sun Nov 22 03:00:00 2026\n"
            out.write(separator + body.rstrip(b"\n") + b"\n\n")
    return path


Result = tuple[int, float, float, float, float]  # exit, wall s, peak RSS MB, CPU s, busiest s


def measure(command: list[str], pythonpath: Path) -> Result:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"},
        cwd=pythonpath,  # ``-m`` puts the working directory first on the path: the tree's own
    ).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]) / 1024, float(out[3]), float(out[4])


def baseline_tree(commit: str, into: Path) -> Path:
    """Today's code: ``mailcheck/`` and ``rules/`` of ``commit``, unpacked (never checked out)."""
    archive = subprocess.run(
        ["git", "archive", commit, "mailcheck", "rules"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into  # the package finds rules/ beside itself, as in a checkout


def line(name: str, count: int, result: Result, base: float = 0.0) -> str:
    """Wall-clock figures, then CPU: the whole tree's and its busiest process's (the wall time
    on idle cores cannot be below the busiest process's CPU, nor the total over the cores)."""
    code, wall, rss, cpu, busiest = result
    ratio = f"  x{count / wall / base:4.2f}" if base else " " * 7
    return (
        f"{name:46} {count:>6} msgs  wall {wall:6.1f} s  {count / wall:6.1f} msgs/s{ratio}  "
        f"peak RSS {rss:6.1f} MB  CPU {cpu:6.1f} s (busiest process {busiest:6.1f} s)  "
        f"exit {code}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--baseline", default="19292bf", help="commit before streaming")
    parser.add_argument("--before", default="d7d455b", help="commit before worker processes")
    parser.add_argument("--mbox", type=int, default=10_000, help="messages in the mbox")
    parser.add_argument(
        "--big-jobs",
        default="1,2",
        help="--jobs values measured at sizes above 10,000 (the one-process code too if 1)",
    )
    args = parser.parse_args()
    messages = corpus()
    with tempfile.TemporaryDirectory(prefix="mailcheck-msgs-") as tmp:
        work = Path(tmp)
        old = baseline_tree(args.baseline, work / "baseline")
        before = baseline_tree(args.before, work / "before")
        analyze = [sys.executable, "-m", "mailcheck", "analyze"]
        folder_1k = build_folder(work / "f1000", 1000, messages)
        mbox = build_mbox(work / "messages.mbox", args.mbox, messages)
        today = [*analyze, str(folder_1k), *ORG, "--json"]
        print(line(f"{args.baseline}: analyze FOLDER --json", 1000, measure(today, old)))
        # the code before streaming holds every report: its mbox figure at 1,000 is enough
        mbox_1k = build_mbox(work / "m1000.mbox", 1000, messages)
        today = [*analyze, str(mbox_1k), *ORG, "--json"]
        print(line(f"{args.baseline}: analyze MBOX --json", 1000, measure(today, old)))
        jsonl = [*analyze, str(mbox), *ORG, "--format", "jsonl"]
        _compare("MBOX", args.mbox, jsonl, before, args.before, "1,2")
        for size in (int(s) for s in args.sizes.split(",")):
            folder = folder_1k if size == 1000 else build_folder(work / f"f{size}", size, messages)
            jsonl = [*analyze, str(folder), *ORG, "--format", "jsonl"]
            jobs = args.big_jobs if size > 10_000 else "1,2"
            _compare("FOLDER", size, jsonl, before, args.before, jobs)
    return 0


def _compare(kind: str, count: int, command: list[str], before: Path, name: str, jobs: str) -> None:
    """The one-process code and this tree's ``--jobs`` values, on the same input."""
    base = 0.0
    if "1" in jobs.split(","):
        result = measure(command, before)
        base = count / result[1]
        print(line(f"{name} (one process): {kind} --format jsonl", count, result, base))
    for n in jobs.split(","):
        result = measure([*command, "--jobs", n], ROOT)
        print(line(f"this tree --jobs {n}: {kind} --format jsonl", count, result, base))


if __name__ == "__main__":
    sys.exit(main())
