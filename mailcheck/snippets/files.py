"""Writing rendered snippets to a folder (one file per filter) and the one-line listing."""

from __future__ import annotations

from pathlib import Path

from mailcheck.base.errors import ReportError
from mailcheck.base.outfiles import write_file
from mailcheck.snippets.interface import SnippetOutput


def write_snippets(outputs: tuple[SnippetOutput, ...], directory: Path) -> tuple[Path, ...]:
    """Write each snippet as ``directory/<filename>`` (UTF-8, exact bytes); the paths."""
    written: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)  # the folder the user named
        for output in outputs:
            path = directory / output.filename
            write_file(path, output.text.encode("utf-8"))  # replaces a planted link
            written.append(path)
    except OSError as exc:
        raise ReportError(f"{directory}: cannot write snippets: {exc.strerror or exc}") from exc
    return tuple(written)


def listing_line(output: SnippetOutput, path: Path | None = None) -> str:
    """``filter  RISK  where-it-went  product`` for the stdout listing."""
    place = str(path) if path is not None else output.filename
    return f"{output.filter:<22} {output.risk.value.upper():<6} {place}  ({output.product})"
