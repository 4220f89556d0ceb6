"""``python -m tests.nameserver --zones DIR [--delay-ms N]``: serve zone files until stdin
closes or SIGTERM, printing ``PORT <n>`` once ready."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from tests.nameserver.server import LoopbackNameserver
from tests.nameserver.zones import ZONES_DIR, load_zones


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """Serve ``--zones`` until stdin closes or SIGTERM; print ``PORT <n>`` once ready."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.nameserver",
        description="Serve DIR/*.zone on 127.0.0.1 (UDP+TCP), print 'PORT <n>' once ready, and "
        "serve until stdin closes or SIGTERM (so start it with a pipe as stdin).",
    )
    parser.add_argument("--zones", type=Path, default=ZONES_DIR, help="directory of *.zone files")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="delay before every reply")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    with LoopbackNameserver(load_zones(args.zones), delay=args.delay_ms / 1000) as server:
        print(f"PORT {server.port}", flush=True)
        try:
            if sys.stdin is None:
                signal.pause()
            while sys.stdin is not None and os.read(sys.stdin.fileno(), 65_536):
                continue
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
