"""A real NSD on loopback serving tests/data/zones/, to check zone files and the test nameserver.

Everything NSD writes (config, pidfile, logs, state) stays in a temporary directory; the zone
files are read in place.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode

from tests.nameserver import HOST, ZONES_DIR, bind_port_pair
from tests.processes import BackgroundServer
from tests.tooling import find_tool

STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
START_ATTEMPTS = 3  # the free port we picked may be taken before NSD binds it

_CONFIG = """\
server:
    ip-address: {host}
    port: {port}
    do-ip6: no
    chroot: ""
    username: ""
    zonesdir: "{workdir}"
    database: ""
    zonelistfile: "{workdir}/zone.list"
    xfrdfile: "{workdir}/xfrd.state"
    xfrdir: "{workdir}"
    pidfile: "{workdir}/nsd.pid"
    logfile: "{workdir}/nsd.log"
    cookie-secret-file: "{workdir}/cookiesecrets.txt"
    zonefiles-write: 0
    verbosity: 2
    server-count: 1
    hide-version: yes
    tcp-timeout: 10

remote-control:
    control-enable: no
"""

_ZONE = """
zone:
    name: "{origin}"
    zonefile: "{path}"
"""


class NsdUnavailableError(RuntimeError):
    """nsd is not installed (Debian package ``nsd``)."""


class NsdServer(BackgroundServer):
    """NSD serving every zone file of ``zones_dir`` that nsd-checkzone accepts, on ``host:port``.

    ``rejected_zones`` maps each refused zone's origin to nsd-checkzone's complaint.
    """

    def __init__(self, zones_dir: Path = ZONES_DIR, *, host: str = HOST) -> None:
        self.zones_dir = zones_dir
        self.host = host
        self.port = 0
        self.origins: list[str] = []
        self.rejected_zones: dict[str, str] = {}
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def workdir(self) -> Path:
        """The temporary directory holding nsd.conf, nsd.log and NSD's state."""
        assert self._workdir is not None, "NSD is not started"
        return Path(self._workdir.name)

    def log_text(self) -> str:
        """What NSD logged so far (its log file and stderr)."""
        parts = [p.read_text(errors="replace") for p in self._log_paths() if p.exists()]
        return "\n".join(parts)

    def start(self) -> None:
        """Start NSD, wait (bounded) until it answers; ``NsdUnavailableError`` if not installed."""
        nsd = find_tool("nsd")
        if nsd is None:
            message = "nsd is not installed (Debian package nsd: apt-get install nsd)"
            raise NsdUnavailableError(message)
        self._workdir = tempfile.TemporaryDirectory(prefix="mailcheck-nsd-")
        self._check_zones()
        for _ in range(START_ATTEMPTS):
            if self._start_once(nsd):
                return
        log = self.log_text()
        self.stop()
        raise RuntimeError(f"NSD did not start:\n{log}")

    def stop(self) -> None:
        """Terminate NSD (then kill it, bounded) and delete its directory; safe to call twice."""
        self._terminate()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def _log_paths(self) -> list[Path]:
        return [self.workdir / "nsd.log", self.workdir / "stderr.log"]

    def _check_zones(self) -> None:
        """Sort zone files into served and rejected with nsd-checkzone (stricter than dnspython)."""
        checkzone = find_tool("nsd-checkzone")
        self.origins, self.rejected_zones = [], {}
        for path in sorted(self.zones_dir.glob("*.zone")):
            origin = path.name.removesuffix(".zone") + "."
            if checkzone is not None:
                command = [checkzone, origin, str(path)]
                done = subprocess.run(command, capture_output=True, text=True, timeout=30)
                if done.returncode != 0:
                    self.rejected_zones[origin] = (done.stdout + done.stderr).strip()
                    continue
            self.origins.append(origin)

    def _write_config(self) -> Path:
        config = _CONFIG.format(host=self.host, port=self.port, workdir=self.workdir)
        for origin in self.origins:
            path = (self.zones_dir / f"{origin[:-1]}.zone").resolve()
            config += _ZONE.format(origin=origin, path=path)
        config_path = self.workdir / "nsd.conf"
        config_path.write_text(config)
        return config_path

    def _start_once(self, nsd: str) -> bool:
        """Start NSD on a fresh free port; True once it answers, False if it died or hung."""
        udp, tcp = bind_port_pair(self.host)
        self.port = udp.getsockname()[1]
        udp.close()
        tcp.close()
        config_path = self._write_config()
        with open(self.workdir / "stderr.log", "ab") as stderr:
            self._process = subprocess.Popen(
                [nsd, "-d", "-c", str(config_path)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group, so kill reaches its children
            )
        if self._wait_ready():
            return True
        self._terminate()
        return False

    def _wait_ready(self) -> bool:
        """Poll a SOA query (any answer if no zone is served) until NSD answers or gives up."""
        origin = self.origins[0] if self.origins else "."
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            if self._answers(origin):
                return True
            time.sleep(0.05)
        return False

    def _answers(self, origin: str) -> bool:
        query = dns.message.make_query(origin, "SOA")
        try:
            response = dns.query.udp(query, self.host, port=self.port, timeout=0.2)
        except (dns.exception.DNSException, OSError):
            return False
        return response.rcode() == dns.rcode.NOERROR or not self.origins

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)
