"""The loopback nameserver in a child process (``python -m tests.nameserver``), for benchmarks."""

from __future__ import annotations

import select
import subprocess
import sys
from pathlib import Path

from tests.nameserver.server import HOST, STOP_TIMEOUT
from tests.nameserver.zones import ZONES_DIR
from tests.processes import BackgroundServer

REPO_ROOT = Path(__file__).parent.parent.parent


class NameserverProcess(BackgroundServer):
    """``python -m tests.nameserver`` as a child process, so it does not share the client's GIL."""

    def __init__(
        self, zones_dir: Path = ZONES_DIR, *, delay_ms: float = 0.0, start_timeout: float = 10.0
    ) -> None:
        self.zones_dir = zones_dir
        self.delay_ms = delay_ms
        self.start_timeout = start_timeout
        self.host = HOST
        self.port = 0
        self.returncode: int | None = None  # the child's exit status, once stopped
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start the child and wait (bounded) for its ``PORT <n>`` line."""
        command = [sys.executable, "-m", "tests.nameserver", "--zones", str(self.zones_dir)]
        command += ["--delay-ms", str(self.delay_ms)]
        self._process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        readable, _, _ = select.select([self._process.stdout], [], [], self.start_timeout)
        line = self._process.stdout.readline() if readable else ""
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"nameserver subprocess did not start (said {line!r})")
        self.port = int(line.split()[1])

    def stop(self) -> None:
        """Close the child's stdin, which stops it; kill it if it lingers."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.communicate(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate(timeout=STOP_TIMEOUT)
        self.returncode = process.returncode
