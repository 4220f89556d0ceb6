"""Regenerate examples/acme.json, the DNS snapshot behind README's offline example.

Runs the full report for acme.example against the loopback test server serving
tests/data/zones, with a fixed clock and a fixed server label, so the file only changes when
the zones or the checks do (tests/test_examples.py fails when it is stale).

    python examples/regenerate.py
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mailcheck.app.build import build_report  # noqa: E402
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig  # noqa: E402
from mailcheck.dns.snapshot import Recorded, RecordingResolver  # noqa: E402
from mailcheck.rulefiles.profiles import get_profile  # noqa: E402
from tests.nameserver import LoopbackNameserver, ZoneSet, load_zones, with_root  # noqa: E402

EXAMPLE = REPO / "examples" / "acme.json"
DOMAIN = "acme.example"
PROFILE = "trimble-identity"
CLOCK = "2026-11-22T09:00:00Z"
SERVER = "example zones (tests/data/zones)"


async def snapshot_json(port: int) -> str:
    """The example snapshot, recorded from a server on ``port`` serving tests/data/zones."""
    live = LiveResolver(ResolverConfig((Nameserver("127.0.0.1", port),), timeout=2.0))
    recorder = RecordingResolver(live, (SERVER,), clock=lambda: CLOCK)
    await build_report(DOMAIN, recorder, get_profile(PROFILE))
    snapshot = recorder.evidence()
    for key, entry in snapshot.entries.items():
        if entry.answer is not None:  # the port changes every run; the label does not
            answer = dataclasses.replace(entry.answer, server=SERVER)
            snapshot.entries[key] = Recorded(entry.time, answer=answer)
    return snapshot.to_json()


def example_zones() -> ZoneSet:
    """The zone files plus an empty root zone, as the ``world`` test fixture serves them."""
    return with_root(load_zones())


def main() -> None:
    """Serve the zones on loopback, record, write the file."""
    with LoopbackNameserver(example_zones()) as server:
        EXAMPLE.write_text(asyncio.run(snapshot_json(server.port)), encoding="utf-8")
    print(f"wrote {EXAMPLE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
