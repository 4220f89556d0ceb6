"""Profile validation with many networks: the sort-and-sweep overlap check against the
all-pairs check it replaced (issue 15 item 10), measured in the same run.

Prints the seconds to load and validate a 6,000-network profile file end to end, and the overlap
step alone with each algorithm (the all-pairs one is the former code, kept here as the baseline).

    python benchmarks/profile_overlap.py [--networks N]
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mailcheck.rulefiles.profiles import load_profile_file  # noqa: E402
from mailcheck.rulefiles.values import Network, overlapping_pairs  # noqa: E402
from tests.hostile.profile_text import write_profile  # noqa: E402


def all_pairs(networks: list[Network]) -> list[tuple[int, int]]:
    """The former check: every documented network against every later one."""
    found = []
    for i, first in enumerate(networks):
        for j in range(i + 1, len(networks)):
            second = networks[j]
            if first.version == second.version and first.overlaps(second):  # type: ignore[arg-type]
                found.append((i, j))
    return found


def timed(function, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def main() -> None:
    """Build the profile, time both algorithms, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=6000)
    count = parser.parse_args().networks
    texts = [f"{11 + i // 25_600}.{i // 100 % 256}.{i % 100}.0/24" for i in range(count)]
    networks = [ipaddress.ip_network(t) for t in texts]
    with tempfile.TemporaryDirectory() as folder:
        path = write_profile(Path(folder), networks=tuple(texts))
        profile, load_seconds = timed(load_profile_file, path)
    assert len(profile.networks) == count
    sweep, sweep_seconds = timed(lambda: list(overlapping_pairs(networks)))
    pairs, pairs_seconds = timed(all_pairs, networks)
    assert sorted(sweep) == sorted(pairs)
    print(f"networks: {count}")
    print(f"load + validate the profile file (sweep): {load_seconds:8.3f} s")
    print(f"overlap step, sort and sweep:             {sweep_seconds:8.3f} s")
    print(f"overlap step, all pairs (former code):    {pairs_seconds:8.3f} s")
    print(f"all pairs / sweep:                        {pairs_seconds / sweep_seconds:8.0f} x")


if __name__ == "__main__":
    main()
