"""``mailcheck analyze`` over many messages: peak memory must stay flat, whatever the count.

Builds folders and mboxes of N messages from the test corpus (tests/data/messages/*.eml, each
copy with its own Message-ID), then measures in the same run:

- this tree: ``analyze DIR --format jsonl`` (streamed) at 1,000, 10,000 and 50,000 messages;
- today's code (the commit this branch started from, unpacked with ``git archive``):
  ``analyze DIR --json`` at 1,000 (its folder limit) and an mbox of 10,000 (its mbox limit).

Both replay the corpus's DNS snapshot, so only the analysis is measured. Prints wall time,
messages/s and peak RSS.

    python benchmarks/messages.py [--sizes 1000,10000,50000] [--baseline 19292bf]
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
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
print(code, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
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


def measure(command: list[str], pythonpath: Path) -> tuple[int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"},
    ).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]) / 1024


def baseline_tree(commit: str, into: Path) -> Path:
    """Today's code: ``mailcheck/`` and ``rules/`` of ``commit``, unpacked (never checked out)."""
    archive = subprocess.run(
        ["git", "archive", commit, "mailcheck", "rules"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into  # the package finds rules/ beside itself, as in a checkout


def line(name: str, count: int, result: tuple[int, float, float]) -> str:
    code, wall, rss = result
    return (
        f"{name:44} {count:>7} msgs  wall {wall:7.1f} s  {count / wall:7.1f} msgs/s  "
        f"peak RSS {rss:7.1f} MB  exit {code}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--baseline", default="19292bf", help="commit with today's code")
    parser.add_argument("--mbox", type=int, default=10_000, help="messages in the mbox")
    args = parser.parse_args()
    messages = corpus()
    with tempfile.TemporaryDirectory(prefix="mailcheck-msgs-") as tmp:
        work = Path(tmp)
        old = baseline_tree(args.baseline, work / "baseline")
        analyze = [sys.executable, "-m", "mailcheck", "analyze"]
        folder_1k = build_folder(work / "f1000", 1000, messages)
        mbox = build_mbox(work / "messages.mbox", args.mbox, messages)
        today = [*analyze, str(folder_1k), *ORG, "--json"]
        print(line("today: analyze FOLDER --json", 1000, measure(today, old)))
        today = [*analyze, str(mbox), *ORG, "--json"]
        print(line("today: analyze MBOX --json", args.mbox, measure(today, old)))
        streamed = [*analyze, str(mbox), *ORG, "--format", "jsonl"]
        print(line("this tree: analyze MBOX --format jsonl", args.mbox, measure(streamed, ROOT)))
        for size in (int(s) for s in args.sizes.split(",")):
            folder = folder_1k if size == 1000 else build_folder(work / f"f{size}", size, messages)
            jsonl = [*analyze, str(folder), *ORG, "--format", "jsonl"]
            print(line("this tree: analyze FOLDER --format jsonl", size, measure(jsonl, ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
