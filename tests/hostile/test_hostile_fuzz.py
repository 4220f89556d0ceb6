"""Bounded fuzzing of every parser issue 15 hardened (a few seconds each); ``benchmarks/fuzz.py``
runs the same harnesses far longer and prints the counts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests.hostile import fuzz_targets as targets

BOUNDED = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,  # the suite is reproducible; the benchmark explores with random seeds
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@BOUNDED
@given(targets.network_inputs)
def test_fuzz_network_text(raw):
    targets.fuzz_network(raw)


@BOUNDED
@given(targets.snapshot_inputs())
def test_fuzz_snapshot_documents(text):
    targets.fuzz_snapshot(text)


@settings(BOUNDED, max_examples=100)
@given(targets.profile_inputs())
def test_fuzz_profile_files(text):
    with tempfile.TemporaryDirectory() as folder:
        targets.fuzz_profile(text, Path(folder))


@BOUNDED
@given(targets.network_lists)
def test_fuzz_overlap_sweep_matches_brute_force(networks):
    targets.fuzz_overlap(networks)


@settings(BOUNDED, max_examples=100)
@given(targets.rules_inputs())
def test_fuzz_every_kind_of_rules_file(text):
    with tempfile.TemporaryDirectory() as folder:
        targets.fuzz_rules_file(text, Path(folder))
