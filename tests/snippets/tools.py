"""Finding and running the real filter software for the snippet tests.

A missing tool skips the test on a developer machine and fails it under ``CI=true``
(``tests/tooling.py``). Exim cannot be installed beside Postfix as a Debian package, so
it is used from an extracted .deb: set ``MAILCHECK_EXIM`` to its ``usr/sbin/exim4``, or put
the extracted tree in ``$MAILCHECK_TOOL_CACHE/exim`` (default ``~/.cache/mailcheck/exim``):

    mkdir -p ~/.cache/mailcheck/exim-debs && cd ~/.cache/mailcheck/exim-debs
    apt-get download exim4-daemon-light exim4-base exim4-config libidn12
    for f in *.deb; do dpkg -x "$f" ../exim; done

Tests never download anything themselves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.tooling import require_tool, skip_or_fail

__all__ = ["exim_binary", "exim_command", "require_tool", "run", "skip_or_fail"]
EXIM_USER = "Debian-exim"  # compiled into Debian's binary; looked up at start-up
RUN_TIMEOUT = 60


def run(
    argv: list[str], *, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a tool with a time limit, capturing text output; callers check the return code."""
    return subprocess.run(
        argv,
        input=input,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def exim_binary() -> Path:
    """The Exim binary: ``$MAILCHECK_EXIM``, the tool cache, or exim4 on PATH."""
    configured = os.environ.get("MAILCHECK_EXIM")
    if configured:
        path = Path(configured)
        if not path.is_file():
            skip_or_fail(f"MAILCHECK_EXIM={configured} does not exist")
        return path
    cache = Path(os.environ.get("MAILCHECK_TOOL_CACHE", Path.home() / ".cache" / "mailcheck"))
    extracted = cache / "exim" / "usr" / "sbin" / "exim4"
    if extracted.is_file():
        return extracted
    on_path = shutil.which("exim4") or shutil.which("exim")
    if on_path is None:
        skip_or_fail("exim4 not found: set MAILCHECK_EXIM (see tests/snippets/tools.py)")
    return Path(on_path)


def exim_command(binary: Path, tmp: Path, args: list[str]) -> list[str]:
    """argv that runs Exim; adds the extracted libs and, if needed, a private passwd entry."""
    root = binary.parent.parent.parent  # <root>/usr/sbin/exim4
    libs = [str(p) for p in (root / "usr" / "lib").glob("*-linux-gnu") if p.is_dir()]
    env = ["env", f"LD_LIBRARY_PATH={':'.join(libs)}"] if libs else []
    command = [*env, str(binary), *args]
    if _has_user(EXIM_USER):
        return command
    # the binary refuses to start without its user: give it one in a private mount namespace
    unshare = shutil.which("unshare")
    if unshare is None:
        skip_or_fail(f"user {EXIM_USER} missing and unshare(1) unavailable")
    passwd, group = tmp / "passwd", tmp / "group"
    passwd.write_text(
        Path("/etc/passwd").read_text() + f"{EXIM_USER}:x:64999:64999::/:/bin/false\n"
    )
    group.write_text(Path("/etc/group").read_text() + f"{EXIM_USER}:x:64999:\n")
    script = f'mount --bind {passwd} /etc/passwd && mount --bind {group} /etc/group && exec "$@"'
    return [unshare, "-m", "sh", "-c", script, "sh", *command]


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
