"""Writing a run's files: UTF-8, the folder created, a link planted at the path not followed."""

from __future__ import annotations

from pathlib import Path

from mailcheck.base.errors import ReportError
from mailcheck.base.outfiles import write_file


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 file, creating its folder; failures become ``ReportError``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, text.encode("utf-8"))  # a link planted at ``path`` is not followed
    except OSError as exc:
        raise ReportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
