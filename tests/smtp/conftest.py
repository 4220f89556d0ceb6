"""Fixtures for the sink tests: a real sink on 127.0.0.1, port 0, in a temporary Maildir."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from mailcheck.smtp.server import RunningSink, start_sink
from mailcheck.smtp.sink import SinkConfig

StartSink = Callable[..., Any]


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


@pytest.fixture
async def sink(make_sink: StartSink) -> RunningSink:
    """A sink with default settings."""
    return await make_sink()
