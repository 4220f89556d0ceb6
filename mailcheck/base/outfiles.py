"""Writing output files without ever following a link planted where they go.

Report folders and snippet folders are often shared or reused: a symbolic link placed at
``report.html`` or ``snippets/`` must not redirect our bytes onto its target. Each file is
written to a fresh name created with ``O_EXCL | O_NOFOLLOW`` and then renamed over the final
name, which replaces a link instead of writing through it; a linked sub-folder is refused.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` as ``path`` atomically; a link at ``path`` is replaced, never followed.

    Raises ``OSError`` (the callers turn it into ``ReportError``)."""
    if not path.name:  # "/" or "": no file name to write beside
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temp, _FLAGS, 0o666)  # the umask applies, as for any new file
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def make_directory(path: Path) -> None:
    """Create ``path`` (and its parents); refuse it when it is a symbolic link.

    Raises ``OSError`` for a link, so a planted ``snippets -> /etc`` is never written into."""
    path.mkdir(parents=True, exist_ok=True)
    if stat.S_ISLNK(os.lstat(path).st_mode):
        raise OSError(f"{path} is a symbolic link; refusing to write through it")
