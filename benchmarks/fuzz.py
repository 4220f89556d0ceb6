"""The longer fuzz run behind ``tests/hostile/test_hostile_fuzz.py``: the same harnesses, many
more cases, fresh random seeds. Prints, per surface, the cases run, the seconds taken, and
either "no failure" or the smallest failing input Hypothesis found.

    python benchmarks/fuzz.py [--examples N]   (default 3000 per surface)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.hostile import fuzz_targets as targets  # noqa: E402


def _profile(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        targets.fuzz_profile(text, Path(folder))


def _rules(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        targets.fuzz_rules_file(text, Path(folder))


SURFACES: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], None]]] = {
    "profile network text (parse_network, unsafe_reason)": (
        targets.network_inputs,
        targets.fuzz_network,
    ),
    "profile files (rules TOML reader + profile validator)": (targets.profile_inputs(), _profile),
    "every shipped rules kind, mutated (rules validate)": (targets.rules_inputs(), _rules),
    "snapshot / evidence JSON (Snapshot.from_json)": (
        targets.snapshot_inputs(),
        targets.fuzz_snapshot,
    ),
    "overlap sweep vs all pairs": (targets.network_lists, targets.fuzz_overlap),
}


def run_surface(strategy: st.SearchStrategy[Any], harness: Callable[[Any], None], n: int) -> str:
    """Run one harness for ``n`` cases; return a one-line outcome with the count."""
    count = 0

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def case(value: Any) -> None:
        nonlocal count
        count += 1
        harness(value)

    started = time.perf_counter()
    try:
        case()
        outcome = "no failure"
    except Exception as exc:  # the finding: shown, not raised, so every surface still runs
        outcome = f"FAILURE {type(exc).__name__}: {str(exc)[:300]}"
    return f"{count:>7} cases {time.perf_counter() - started:7.1f} s  {outcome}"


def main() -> None:
    """Run every surface and print its line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3000, help="cases per surface")
    args = parser.parse_args()
    for name, (strategy, harness) in SURFACES.items():
        print(f"{name:<56} {run_surface(strategy, harness, args.examples)}", flush=True)


if __name__ == "__main__":
    main()
