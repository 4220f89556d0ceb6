"""External tools for tests: skip when one is missing on a developer machine, fail under CI."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

# Daemons such as nsd live in sbin, which is often not on a normal user's PATH.
_SYSTEM_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin")

# Tool -> the Debian package that provides it, for the error message.
DEBIAN_PACKAGES = {
    "nsd": "nsd",
    "nsd-checkzone": "nsd",
    "nsd-checkconf": "nsd",
    "dig": "bind9-dnsutils",
    "named": "bind9",
    "swaks": "swaks",
    "opendkim-testkey": "opendkim-tools",
}


def is_ci() -> bool:
    """True when running under CI (``CI=true``), where a missing tool is a failure."""
    return os.environ.get("CI", "").lower() == "true"


def find_tool(name: str) -> str | None:
    """The path of executable ``name`` on PATH or in the sbin directories, or None."""
    search_path = os.pathsep.join([os.environ.get("PATH", os.defpath), *_SYSTEM_DIRS])
    return shutil.which(name, path=search_path)


def skip_or_fail(message: str) -> NoReturn:
    """Skip the test, or fail it under CI, where every tool must be installed."""
    if is_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_tool(name: str, package: str | None = None) -> str:
    """The path of tool ``name``; skips the test when missing (fails under ``CI=true``)."""
    path = find_tool(name)
    if path is None:
        package = package or DEBIAN_PACKAGES.get(name, name)
        skip_or_fail(
            f"{name} is not installed (Debian package {package}: apt-get install {package})"
        )
    return path
