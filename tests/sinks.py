"""A real SMTP sink on 127.0.0.1, port 0, in the test's temporary Maildir, for any test folder.

``make_sink(analyzer=None, **overrides)`` starts one with ``SinkConfig`` overrides
(``behaviours=...``, ``tls=False``, ...); every sink it started is closed after the test.
``tests/conftest.py`` re-exports the fixture, so the sink tests and the probe tests share it.
``write_behaviours`` turns ``[[behaviour]]`` TOML into a loaded, validated behaviours tuple.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from mailcheck.smtp.behaviours import FORMAT_VERSION, KIND, Behaviour, load_behaviours
from mailcheck.smtp.server import RunningSink, start_sink
from mailcheck.smtp.sink import SinkConfig

StartSink = Callable[..., Any]
BEHAVIOURS_HEAD = f'kind = "{KIND}"\nformat_version = {FORMAT_VERSION}\n'


def write_behaviours(path: Path, body: str) -> tuple[Behaviour, ...]:
    """Write ``body`` (``[[behaviour]]`` tables) as a behaviours file at ``path`` and load it."""
    path.write_text(BEHAVIOURS_HEAD + body, encoding="utf-8")
    return load_behaviours(path)


@pytest.fixture
async def make_sink(tmp_path: Path) -> AsyncIterator[StartSink]:
    """Start sinks with config overrides; every one is closed at the end of the test."""
    running: list[RunningSink] = []

    async def start(analyzer: Any = None, **overrides: Any) -> RunningSink:
        base = SinkConfig(maildir=tmp_path / "Maildir", port=0, hostname="sink.test")
        sink = await start_sink(dataclasses.replace(base, **overrides), analyzer)
        running.append(sink)
        return sink

    yield start
    for sink in running:
        await sink.close()
