"""A throw-away Postfix on loopback that relays everything to one next hop (the sink).

The minimum the sink's delivery test needs (the shared ``tests/postfix.py`` helper was not on
main yet): its own config, queue and data folders under a temporary directory, no chroot, an
smtpd on a free loopback port, ``relayhost = [127.0.0.1]:PORT``, no DNS. Needs root (Postfix
drops privileges to the ``postfix`` user itself).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = relay.mailcheck.test
mydomain = mailcheck.test
myorigin = $myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:{next_port}
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_dns_support_level = disabled
smtp_tls_security_level = may
smtp_tls_loglevel = 1
maillog_file = /dev/stdout
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
"""
MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def free_port() -> int:
    """A currently free loopback port (Postfix cannot be told to bind port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostfixRelay:
    """``with PostfixRelay(postfix, next_port) as relay:`` submit to ``relay.port``."""

    def __init__(self, postfix: str, next_port: int) -> None:
        self.postfix = postfix
        self.next_port = next_port
        self.root = Path(tempfile.mkdtemp(prefix="mailcheck-postfix-"))
        self.port = free_port()

    def __enter__(self) -> PostfixRelay:
        conf = self.root / "conf"
        self.root.chmod(0o755)  # Postfix's own processes (user postfix) must reach the queue
        for folder in ("conf", "queue", "data"):
            (self.root / folder).mkdir()
        os.chown(self.root / "data", *_postfix_ids())
        (conf / "main.cf").write_text(MAIN_CF.format(root=self.root, next_port=self.next_port))
        (conf / "master.cf").write_text(MASTER_CF.format(port=self.port))
        # start-fg: master stays our child and logs to our file (no syslog needed).
        self._log = open(self.root / "maillog", "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            [self.postfix, "-c", str(conf), "start-fg"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_listening()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            subprocess.run(
                [self.postfix, "-c", str(self.root / "conf"), "stop"],
                timeout=60,
                capture_output=True,
            )
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        finally:
            self._log.close()
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""

    def _wait_listening(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"postfix did not listen on {self.port}: {self.log()[-2000:]}")


def _postfix_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postfix")
    return entry.pw_uid, entry.pw_gid
