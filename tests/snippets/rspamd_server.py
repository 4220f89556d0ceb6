"""Run a private rspamd on loopback for the behaviour tests, and scan messages with it.

Stock /etc/rspamd config (so the DKIM, SPF and DMARC modules are the real ones) under a
private LOCAL_CONFDIR: only the normal worker, on a free loopback port; every DNS query goes
to the test nameserver; modules that need the Internet (fuzzy, RBLs, remote maps) are off.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.snippets.messages import Delivery

START_TIMEOUT = 120.0  # compiling hyperscan and the TLD list takes a while on a busy host
SCAN_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
OFFLINE_DISABLED = (
    "fuzzy_check",
    "rbl",
    "phishing",
    "mid",
    "mime_types",
    "whitelist",
    "rspamd_update",
    "url_redirector",
    "asn",
    "emails",
)
TOP_CONFIG = """\
.include "$CONFDIR/common.conf"
options {{
    pidfile = "$RUNDIR/rspamd.pid";
    .include "$CONFDIR/options.inc"
    .include(try=true; priority=1,duplicate=merge) "$LOCAL_CONFDIR/local.d/options.inc"
}}
logging {{
    type = "file";
    filename = "$LOGDIR/rspamd.log";
    level = "info";
}}
worker "normal" {{
    bind_socket = "127.0.0.1:{port}";
    .include "$CONFDIR/worker-normal.inc"
    count = 1;
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RspamdServer:
    """A private rspamd process; ``start()`` waits (bounded) until it answers /ping."""

    def __init__(self, binary: str, root: Path, dns: tuple[str, int], multimap: str) -> None:
        self.binary, self.root, self.port = binary, root, _free_port()
        local = root / "local"
        for sub in ("local.d", "override.d", "db", "run", "log"):
            (local if sub.endswith(".d") else root).joinpath(sub).mkdir(parents=True)
        host, dns_port = dns
        (local / "local.d" / "options.inc").write_text(
            f'dns {{\n  nameserver = ["{host}:{dns_port}"];\n  timeout = 2s;\n'
            "  retransmits = 2;\n}\n"
        )
        (local / "local.d" / "multimap.conf").write_text(multimap)
        for module in OFFLINE_DISABLED:
            (local / "override.d" / f"{module}.conf").write_text("enabled = false;\n")
        (root / "rspamd.conf").write_text(TOP_CONFIG.format(port=self.port))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start rspamd in its own process group and wait until it answers."""
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        argv = [
            self.binary,
            "-f",
            "-i",
            "-u",
            user,
            "-g",
            group,
            "-c",
            str(self.root / "rspamd.conf"),
            f"--var=LOCAL_CONFDIR={self.root / 'local'}",
            f"--var=DBDIR={self.root / 'db'}",
            f"--var=RUNDIR={self.root / 'run'}",
            f"--var=LOGDIR={self.root / 'log'}",
        ]
        log = (self.root / "stdout.txt").open("wb")
        with log:
            self.process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rspamd exited: {self.log_tail()}")
            if self._ping():
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"rspamd did not answer within {START_TIMEOUT} s: {self.log_tail()}")

    def stop(self) -> None:
        """Stop rspamd and its workers (its own process group); bounded."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def scan(self, delivery: Delivery) -> dict[str, Any]:
        """POST /checkv2 with the SMTP facts an MTA would pass; the JSON verdict."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/checkv2",
            data=delivery.data,
            method="POST",
            headers={
                "IP": delivery.ip,
                "Helo": delivery.helo,
                "From": delivery.mail_from,
                "Rcpt": "user@sniprecv.example",
                "Hostname": delivery.helo,
            },
        )
        with urllib.request.urlopen(request, timeout=SCAN_TIMEOUT) as response:
            return dict(json.load(response))

    def log_tail(self, lines: int = 20) -> str:
        """The end of rspamd's log, for failure messages."""
        log = self.root / "log" / "rspamd.log"
        text = log.read_text(errors="replace") if log.is_file() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _ping(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ping", timeout=2) as r:
                return bool(r.read().strip() == b"pong")
        except (urllib.error.URLError, OSError):
            return False
