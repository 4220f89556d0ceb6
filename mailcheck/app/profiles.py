"""Which sender profile a run is about: the one named, else the only one, else the default."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailcheck.base.errors import InputError
from mailcheck.rulefiles.profiles import SenderProfile, get_profile, load_profiles

# The profile mailcheck was first built for (DESIGN.md): the default when several profiles are
# loaded and none is chosen, so commands written before more vendors shipped keep their meaning.
DEFAULT_PROFILE_ID = "trimble-identity"


@dataclass(frozen=True)
class ProfileChoice:
    """A profile id (or none) and where the rules are read from."""

    profile_id: str | None
    rules_dirs: tuple[Path, ...] = ()
    allow_unsafe_networks: bool = False


def choose_profile(choice: ProfileChoice) -> SenderProfile:
    """The profile named, else the only one, else the default one; ``InputError`` (field
    ``profile``, detail the known ids) when none of those applies."""
    unsafe = choice.allow_unsafe_networks
    if choice.profile_id:
        return get_profile(choice.profile_id, choice.rules_dirs, allow_unsafe_networks=unsafe)
    profiles = load_profiles(choice.rules_dirs, allow_unsafe_networks=unsafe)
    if len(profiles) > 1 and DEFAULT_PROFILE_ID in profiles:
        return profiles[DEFAULT_PROFILE_ID]
    if len(profiles) != 1:
        raise InputError("profile", ", ".join(sorted(profiles)))
    return next(iter(profiles.values()))
