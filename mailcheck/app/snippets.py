"""``mailcheck snippets``: a profile's allowlist snippets, rendered and (when asked) written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailcheck.app.profiles import ProfileChoice, choose_profile
from mailcheck.snippets import FilterKind, SnippetOptions, render_snippets
from mailcheck.snippets.files import write_snippets
from mailcheck.snippets.interface import SnippetOutput


@dataclass(frozen=True)
class SnippetsRequest:
    """Whose snippets, for which filters (every one when empty), written to ``output`` or not."""

    profile: ProfileChoice
    options: SnippetOptions
    filters: tuple[FilterKind, ...] = ()
    output: Path | None = None


@dataclass(frozen=True)
class SnippetsResult:
    """The snippets to paste, the files they went to (when written), and one sentence per
    filter that can allow nothing (a filter like that never gets a file)."""

    outputs: tuple[SnippetOutput, ...]
    paths: tuple[Path, ...]
    notes: tuple[str, ...]


def build_snippets(request: SnippetsRequest) -> SnippetsResult:
    """Render the snippets; write one file each under ``output`` when given."""
    profile = choose_profile(request.profile)
    rendered = render_snippets(profile, request.options, request.filters or tuple(FilterKind))
    outputs = tuple(o for o in rendered if not o.nothing_to_paste)
    notes = tuple(o.nothing_to_paste for o in rendered if o.nothing_to_paste)
    if request.output is None:
        return SnippetsResult(outputs, (), notes)
    return SnippetsResult(outputs, write_snippets(outputs, request.output), notes)
