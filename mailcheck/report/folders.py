"""Report folders are never overwritten, and ``reports/<domain>/latest`` names the newest.

Two runs with the same evidence time (the same snapshot, a replay) get ``<time>``, then
``<time>-2``… The folder is created here with an exclusive ``mkdir``, so two runs at once cannot
pick the same one.
"""

from __future__ import annotations

import os
from pathlib import Path

from mailcheck.base.errors import ReportError

LATEST = "latest"
MAX_SAME_TIME = 1000  # folders with one evidence time before giving up: bounded, and ample


def new_folder(wanted: Path) -> Path:
    """Create and return ``wanted``, or ``wanted-2``, ``wanted-3``… if it exists."""
    for number in range(1, MAX_SAME_TIME + 1):
        candidate = wanted if number == 1 else wanted.with_name(f"{wanted.name}-{number}")
        try:
            candidate.mkdir(parents=True)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ReportError(f"{candidate}: cannot create: {exc.strerror or exc}") from exc
        return candidate
    raise ReportError(f"{wanted}: {MAX_SAME_TIME} report folders with this time already exist")


def point_latest(folder: Path) -> Path:
    """Make ``<folder's parent>/latest`` a relative symlink to ``folder``; return the link.

    Replaced atomically (a new link renamed over the old one), so a reader never sees none.
    """
    link = folder.parent / LATEST
    temporary = folder.parent / f".{LATEST}-{os.getpid()}"
    try:
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(folder.name, target_is_directory=True)
        os.replace(temporary, link)
    except OSError as exc:
        raise ReportError(f"{link}: cannot point at the newest report: {exc}") from exc
    return link
