"""Locate the conformance suites in ``tests/conformance``: skip when absent, fail under CI=true."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def conformance_file(*parts: str) -> Path:
    """The path of a conformance file, or skip (fail in CI) with the reason."""
    base = ROOT / "tests" / "conformance"
    path = base.joinpath(*parts)
    if not path.is_file():
        reason = f"conformance file {path} not found"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def load_cases(*parts: str) -> Any:
    """Parse a conformance YAML file (PyYAML, safe loader)."""
    with conformance_file(*parts).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_or_empty(*parts: str) -> Any:
    """For parametrize at collection time: {} when the suite is absent (the test then skips)."""
    base = ROOT / "tests" / "conformance"
    path = base.joinpath(*parts)
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
