"""A real Debian Postfix as an isolated, throw-away instance on 127.0.0.1 for tests.

``start_postfix(PostfixConfig(...))`` writes its own main.cf/master.cf, queue and data
directories into a fresh temp dir, runs ``postfix -c DIR start`` and waits (bounded) for the
SMTP port. The system instance is never touched: root may point ``postfix -c`` at any
directory without listing it in ``alternate_config_directories`` (only the set-gid tools
postdrop/postqueue check that list), and this instance has its own queue, pid and lock files.

Defaults: nobody may relay (``smtpd_relay_restrictions = reject_unauth_destination``, no
``permit_mynetworks``), ``mydestination`` is the test domain, recipients outside
``recipients`` get ``550 5.1.1``. Sender policy comes from ``sender_access`` (a
``check_sender_access texthash:`` map: ``{"no-reply@x.example": "550 5.7.1 Sender blocked"}``
or ``"450 4.7.1 Greylisted, try later"``). Set ``relayhost`` (and ``relay_from_loopback``)
to relay accepted mail into an SMTP sink.

Use the ``postfix_factory`` fixture (``tests/conftest.py`` provides it to every folder).
Missing Postfix, or not running as root: skip with the reason; fail instead when ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.tooling import require_tool, skip_or_fail

POSTFIX = "/usr/sbin/postfix"  # Debian's path; the daemons live in /usr/lib/postfix/sbin
START_TIMEOUT = 20.0  # seconds for `postfix start` plus the port to accept
STOP_TIMEOUT = 15.0

# The daemons a receiving-only (plus optional relay) instance needs; chroot off ("n") so
# nothing has to be copied into the temp dir.
_MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
smtp      unix  - - n -     - smtp
relay     unix  - - n -     - smtp
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
local     unix  - n n -     - local
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


@dataclass(frozen=True)
class PostfixConfig:
    """What the test wants from its Postfix; everything else is a safe default."""

    hostname: str = "mx.company.example"
    domain: str = "company.example"  # mydestination: mail for it is "local"
    recipients: tuple[str, ...] = ("user@company.example",)
    sender_access: Mapping[str, str] = field(default_factory=dict)
    # Extra or overriding main.cf parameters, e.g. {"smtpd_client_restrictions": "..."}.
    parameters: Mapping[str, str] = field(default_factory=dict)
    relayhost: str = ""  # e.g. "[127.0.0.1]:2525"
    relay_from_loopback: bool = False  # let 127.0.0.1 relay (only with a relayhost sink)
    tls_cert_file: Path | None = None  # PEM chain; enables STARTTLS with the key below
    tls_key_file: Path | None = None


@dataclass
class PostfixInstance:
    """A started instance; ``stop`` is idempotent and removes the temp dir."""

    root: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def config_dir(self) -> Path:
        """The instance's main.cf/master.cf folder (``postfix -c`` argument)."""
        return self.root / "etc"

    def maillog(self) -> str:
        """Everything the instance logged so far (Postfix's own ``maillog_file``)."""
        try:
            return (self.root / "maillog").read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def master_pid(self) -> int | None:
        """The master daemon's pid, if its pid file exists."""
        try:
            return int((self.root / "queue" / "pid" / "master.pid").read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def stop(self) -> None:
        """Stop the master (gracefully, then by force) and delete every file."""
        if not self.root.exists():
            return
        pid = self.master_pid()
        with contextlib.suppress(subprocess.TimeoutExpired):
            _postfix(self.config_dir, "stop", timeout=STOP_TIMEOUT)
        if pid is not None and not _wait_gone(pid, STOP_TIMEOUT):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, STOP_TIMEOUT)
        shutil.rmtree(self.root, ignore_errors=True)


def require_postfix() -> None:
    """Skip (or fail under ``CI=true``) when an isolated Postfix cannot run here."""
    require_tool("postfix", "postfix")
    if os.geteuid() != 0:
        skip_or_fail("starting a private Postfix instance needs root")


def start_postfix(config: PostfixConfig) -> PostfixInstance:
    """Start an isolated instance; raises ``RuntimeError`` with its log when it won't start."""
    last_error = ""
    for _ in range(3):  # the free port can be taken between probing and Postfix's bind
        root = Path(tempfile.mkdtemp(prefix="mailcheck-postfix-"))
        instance = PostfixInstance(root, _free_port())
        try:
            _write_config(instance, config)
            _start(instance)
            return instance
        except RuntimeError as exc:
            last_error = str(exc)
            instance.stop()
            if "Address already in use" not in last_error:
                break
    raise RuntimeError(last_error)


def _write_config(instance: PostfixInstance, config: PostfixConfig) -> None:
    root = instance.root
    # Postfix daemons run as user postfix and must traverse into the queue below root.
    root.chmod(0o755)
    etc, queue, data = root / "etc", root / "queue", root / "data"
    for folder in (etc, queue, data):
        folder.mkdir()
    shutil.chown(data, user="postfix")
    (etc / "recipients").write_text("".join(f"{r} ok\n" for r in config.recipients))
    (etc / "sender_access").write_text(
        "".join(f"{key} {action}\n" for key, action in config.sender_access.items())
    )
    listen = f"{instance.host}:{instance.port}"
    (etc / "master.cf").write_text(_MASTER_CF.format(listen=listen))
    lines = [f"{key} = {value}" for key, value in _main_cf(root, config).items()]
    (etc / "main.cf").write_text("\n".join(lines) + "\n")


def _main_cf(root: Path, config: PostfixConfig) -> dict[str, str]:
    relay = "permit_mynetworks, " if config.relay_from_loopback else ""
    params = {
        "compatibility_level": "3.6",
        "queue_directory": str(root / "queue"),
        "data_directory": str(root / "data"),
        "maillog_file": str(root / "maillog"),
        "maillog_file_prefixes": str(root),
        "inet_interfaces": "127.0.0.1",
        "inet_protocols": "ipv4",
        "myhostname": config.hostname,
        "mydomain": config.domain,
        "myorigin": config.domain,
        "mydestination": config.domain,
        "mynetworks": "127.0.0.1/32" if config.relay_from_loopback else "",
        "relayhost": config.relayhost,
        "smtpd_relay_restrictions": f"{relay}reject_unauth_destination",
        "smtpd_sender_restrictions": f"check_sender_access texthash:{root}/etc/sender_access",
        "local_recipient_maps": f"texthash:{root}/etc/recipients",
        "alias_maps": "",
        "alias_database": "",
        "smtpd_banner": "$myhostname ESMTP",
        # Tests must never wait on real DNS: the loopback has no resolver to speak of.
        "smtp_host_lookup": "native",
        "smtp_dns_support_level": "disabled",
        "smtpd_peername_lookup": "no",
        "biff": "no",
    }
    if config.tls_cert_file and config.tls_key_file:
        params |= {
            "smtpd_tls_security_level": "may",
            "smtpd_tls_cert_file": str(config.tls_cert_file),
            "smtpd_tls_key_file": str(config.tls_key_file),
        }
    return params | dict(config.parameters)


def _start(instance: PostfixInstance) -> None:
    try:
        result = _postfix(instance.config_dir, "start", timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"postfix start timed out\n{instance.maillog()}") from exc
    if result.returncode != 0:
        raise RuntimeError(f"postfix start failed ({result.returncode})\n{instance.maillog()}")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if _accepts(instance.host, instance.port):
            return
        if "fatal:" in instance.maillog():
            break
        time.sleep(0.05)
    raise RuntimeError(f"Postfix did not listen on {instance.port}\n{instance.maillog()}")


def _postfix(config_dir: Path, command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POSTFIX, "-c", str(config_dir), command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def postfix_factory() -> Iterator[Callable[[PostfixConfig], PostfixInstance]]:
    """Start any number of instances in a test; all are stopped and removed afterwards."""
    require_postfix()
    started: list[PostfixInstance] = []

    def factory(config: PostfixConfig) -> PostfixInstance:
        instance = start_postfix(config)
        started.append(instance)
        return instance

    yield factory
    for instance in started:
        instance.stop()
