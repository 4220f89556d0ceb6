"""One DNS snapshot per shipped sender profile, for ``report`` replay tests.

Records the full report for acme.example with each profile against the loopback test server
serving tests/data/zones (the vendors' zones there imitate their setups; they are not the real
zones), with a fixed clock, like examples/regenerate.py. Regenerate after changing zones,
checks or profiles:

    .venv/bin/python -m tests.profile_snapshots
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from examples.regenerate import CLOCK, DOMAIN, SERVER, example_zones
from mailcheck.app.build import build_report
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.dns.snapshot import Recorded, RecordingResolver
from mailcheck.rulefiles.profiles import get_profile, load_profiles
from tests.nameserver import LoopbackNameserver

SNAPSHOTS = Path(__file__).resolve().parent / "data" / "profile-snapshots"


def shipped_profile_ids() -> list[str]:
    """Every profile shipped in rules/senders, sorted."""
    return sorted(load_profiles())


def snapshot_path(profile_id: str) -> Path:
    """Where one profile's snapshot lives."""
    return SNAPSHOTS / f"{profile_id}.json"


async def snapshot_json(port: int, profile_id: str) -> str:
    """One profile's report evidence, recorded from the server on ``port``."""
    live = LiveResolver(ResolverConfig((Nameserver("127.0.0.1", port),), timeout=2.0))
    recorder = RecordingResolver(live, (SERVER,), clock=lambda: CLOCK)
    await build_report(DOMAIN, recorder, get_profile(profile_id))
    snapshot = recorder.evidence()
    for key, entry in snapshot.entries.items():
        if entry.answer is not None:  # the port changes every run; the label does not
            snapshot.entries[key] = Recorded(
                entry.time, answer=dataclasses.replace(entry.answer, server=SERVER)
            )
    return snapshot.to_json()


def main() -> None:
    """Serve the zones on loopback, record every profile's snapshot."""
    SNAPSHOTS.mkdir(exist_ok=True)
    with LoopbackNameserver(example_zones()) as server:
        for profile_id in shipped_profile_ids():
            text = asyncio.run(snapshot_json(server.port, profile_id))
            snapshot_path(profile_id).write_text(text, encoding="utf-8")
            print(f"wrote {snapshot_path(profile_id)}")


if __name__ == "__main__":
    main()
