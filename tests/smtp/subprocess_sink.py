"""Run ``python -m mailcheck sink`` as a child process (for load and crash tests)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


class SinkProcess:
    """A sink in its own process; ``kill()`` is a real SIGKILL."""

    def __init__(self, maildir: Path, *extra: str, analyse: bool = False) -> None:
        self.maildir = maildir
        self.extra = extra
        self.analyse = analyse
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0
        self.startup: list[str] = []
        self.output: list[str] = []  # what it printed after start-up
        self._drain: threading.Thread | None = None

    def start(self, timeout: float = 30) -> SinkProcess:
        argv = [sys.executable, "-m", "mailcheck", "sink", "--listen", "127.0.0.1:0"]
        argv += ["--maildir", str(self.maildir), "--no-tls", *self.extra]
        argv += [] if self.analyse else ["--no-analysis"]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, as in a terminal (see interrupt)
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        self.startup = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.startup.append(line.rstrip())
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found.group(1))
                # the sink prints a line per message: keep reading, or a full pipe stalls it
                self.output = []
                self._drain = threading.Thread(target=self._read_output, daemon=True)
                self._drain.start()
                return self
        self.kill()
        raise RuntimeError("sink did not start: " + " | ".join(self.startup))

    def _read_output(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line.rstrip("\n"))

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind runs in the sink."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self._reap()

    def stop(self) -> None:
        """SIGTERM: a clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
        self._reap()

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C as a terminal sends it: SIGINT to the whole process group (the sink and its
        storage writer). Returns the exit code and everything printed after start-up."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)
        code = self.proc.wait(timeout=30)
        self._join()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None
        return code, "".join(line + "\n" for line in self.output)

    def _join(self) -> None:
        if self._drain is not None:
            self._drain.join(timeout=10)
            self._drain = None

    def _reap(self) -> None:
        if self.proc is not None:
            try:
                self.proc.wait(timeout=30)
                self._join()
            finally:
                if self.proc.stdout is not None:
                    self.proc.stdout.close()
            self.proc = None
