"""Which loader validates which kind of rules file; ``mailcheck rules validate`` uses this."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mailcheck.base.errors import ProfileError
from mailcheck.rulefiles import dnsbl_zones, profiles, providers, services
from mailcheck.rulefiles.loader import RulesDocument, iter_rules_files, read_rules_file
from mailcheck.smtp import behaviours

# kind -> a function that validates a parsed document and raises ProfileError on any problem.
VALIDATORS: dict[str, Callable[[RulesDocument], object]] = {
    profiles.KIND: profiles.profile_from_document,
    providers.KIND: providers.providers_from_document,
    dnsbl_zones.KIND: dnsbl_zones.rules_from_document,
    services.KIND: services.services_from_document,
    behaviours.KIND: behaviours.behaviours_from_document,
}


def validate_document(document: RulesDocument, *, allow_unsafe_networks: bool = False) -> None:
    """Validate a parsed rules file by its declared kind."""
    validator = VALIDATORS.get(document.kind)
    if validator is None:
        known = ", ".join(sorted(VALIDATORS))
        raise ProfileError(f"{document.path}: kind: missing or unknown (expected one of: {known})")
    if document.kind == profiles.KIND:
        profiles.profile_from_document(document, allow_unsafe_networks=allow_unsafe_networks)
    else:
        validator(document)


def validate_paths(
    paths: list[Path], *, allow_unsafe_networks: bool = False
) -> list[tuple[Path, ProfileError | None]]:
    """Validate every rules file under ``paths``; one result per file, errors included."""
    results: list[tuple[Path, ProfileError | None]] = []
    for path in paths:
        if not path.exists():
            results.append((path, ProfileError(f"{path}: no such file or folder")))
    for path in iter_rules_files([p for p in paths if p.exists()]):
        try:
            validate_document(read_rules_file(path), allow_unsafe_networks=allow_unsafe_networks)
        except ProfileError as exc:
            results.append((path, exc))
        else:
            results.append((path, None))
    return results
