"""What every command of the CLI shares: exit codes, colour choice, profile choice, output.

Kept apart from ``__init__.py`` so the command modules can import it without an import cycle.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from mailcheck.errors import ReportError, UsageError
from mailcheck.model import Status
from mailcheck.outfiles import write_file
from mailcheck.profiles import SenderProfile, get_profile, load_profiles

EXIT_OK, EXIT_WARN, EXIT_FAIL, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_RUNTIME = 0, 1, 2, 3, 4, 5
STATUS_EXIT = {
    Status.PASS: EXIT_OK,
    Status.INFO: EXIT_OK,
    Status.WARN: EXIT_WARN,
    Status.ERROR: EXIT_INCOMPLETE,
    Status.FAIL: EXIT_FAIL,
}


def use_color(to_terminal: bool, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return to_terminal and not environ.get("NO_COLOR")


# The profile mailcheck was first built for (DESIGN.md): the default when several profiles are
# loaded and none is chosen, so commands written before more vendors shipped keep their meaning.
DEFAULT_PROFILE_ID = "trimble-identity"


def pick_profile(
    profile_id: str | None, rules_dirs: tuple[Path, ...], *, allow_unsafe_networks: bool = False
) -> SenderProfile:
    """The profile named by ``--profile``, else the only one, else the default one."""
    if profile_id:
        return get_profile(profile_id, rules_dirs, allow_unsafe_networks=allow_unsafe_networks)
    profiles = load_profiles(rules_dirs, allow_unsafe_networks=allow_unsafe_networks)
    if len(profiles) > 1 and DEFAULT_PROFILE_ID in profiles:
        return profiles[DEFAULT_PROFILE_ID]
    if len(profiles) != 1:
        raise UsageError(
            f"choose a profile with --profile ID (known: {', '.join(sorted(profiles))})"
        )
    return next(iter(profiles.values()))


def emit(text: str, output: Path | None) -> None:
    """Write ``text`` to stdout, or to ``output`` when given."""
    if output is None:
        sys.stdout.write(text)
    else:
        write(output, text)


def write(path: Path, text: str) -> None:
    """Write a UTF-8 file, creating its folder; failures become ``ReportError``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, text.encode("utf-8"))  # a link planted at ``path`` is not followed
    except OSError as exc:
        raise ReportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
