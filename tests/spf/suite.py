"""Reading the OpenSPF YAML suites in ``tests/conformance/spf`` (format: README.md there)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def conformance_dir() -> Path | None:
    """``<repo>/tests/conformance``, if present."""
    path = REPO / "tests" / "conformance"
    return path if path.is_dir() else None


def suite_path(name: str) -> Path:
    """The suite file, or skip (fail under CI=true) with a clear reason."""
    base = conformance_dir()
    path = base / "spf" / name if base else None
    if path is None or not path.is_file():
        reason = f"SPF conformance suite {name} not found"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@dataclass(frozen=True)
class Case:
    """One test of one scenario."""

    scenario: int
    case_id: str
    helo: str
    host: str
    mailfrom: str
    results: tuple[str, ...]
    explanation: str | None
    spec: str


def load(path: Path) -> tuple[list[dict[str, Any]], list[Case]]:
    """Scenarios (each with its zonedata) and their cases, in file order."""
    with path.open("rb") as handle:
        docs = [d for d in yaml.safe_load_all(handle) if d]
    cases = []
    for index, doc in enumerate(docs):
        for case_id, test in doc["tests"].items():
            raw = test["result"]
            results = tuple(raw) if isinstance(raw, list) else (raw,)
            mapped = tuple(
                {"unknown": "permerror", "error": "temperror"}.get(r, r) for r in results
            )
            cases.append(
                Case(
                    index,
                    case_id,
                    str(test["helo"]),
                    str(test["host"]),
                    str(test["mailfrom"]),
                    mapped,
                    test.get("explanation"),
                    str(test.get("spec", "")),
                )
            )
    return docs, cases
