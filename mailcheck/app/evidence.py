"""The request a run records in its evidence, and reading it back for a replay."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailcheck import __version__
from mailcheck.app.domains import check_domain
from mailcheck.base.errors import SnapshotError
from mailcheck.dns.health import HEALTHY, ResolverHealth
from mailcheck.dns.snapshot import Snapshot, SnapshotResolver


@dataclass(frozen=True)
class RunRequest:
    """What a report run was asked to do; the evidence records it so a replay needs no more."""

    domain: str
    profile_id: str | None
    command: tuple[str, ...]
    health: ResolverHealth = HEALTHY


def with_request(snapshot: Snapshot, request: RunRequest) -> Snapshot:
    """The run's evidence, stamped with the request that produced it."""
    metadata: dict[str, Any] = {
        "domain": request.domain,
        "profile": request.profile_id,
        "command": list(request.command),
        "tool_version": __version__,
    }
    if request.health.broken:  # only then: healthy evidence files stay as they were
        metadata["resolver_health"] = request.health.to_data()
    return Snapshot(snapshot.recorded_at, snapshot.nameservers, dict(snapshot.entries), metadata)


def open_replay(path: Path) -> tuple[RunRequest, SnapshotResolver]:
    """The request recorded in an evidence file, and a resolver replaying its answers."""
    snapshot = Snapshot.load(path)
    meta = snapshot.metadata
    domain, profile_id, command = meta.get("domain"), meta.get("profile"), meta.get("command")
    if not isinstance(domain, str):
        raise SnapshotError(f"{path}: no domain recorded; use DOMAIN --snapshot {path} instead")
    if not (profile_id is None or isinstance(profile_id, str)):
        raise SnapshotError(f"{path}: metadata.profile must be a string")
    if not (isinstance(command, list) and all(isinstance(c, str) for c in command)):
        raise SnapshotError(f"{path}: metadata.command must be a list of strings")
    try:
        # The file is untrusted: the domain becomes a folder name, so it must be a real domain.
        domain = check_domain(domain)
        health = ResolverHealth.from_data(meta.get("resolver_health", HEALTHY.to_data()))
    except ValueError as exc:
        raise SnapshotError(f"{path}: {exc}") from exc
    request = RunRequest(domain, profile_id, tuple(command), health)
    return request, SnapshotResolver(snapshot)
