"""Fixtures for the sink tests; ``make_sink`` itself lives in ``tests/sinks.py`` (shared)."""

from __future__ import annotations

import pytest

from mailcheck.smtp.server import RunningSink
from tests.sinks import StartSink


@pytest.fixture
async def sink(make_sink: StartSink) -> RunningSink:
    """A sink with default settings."""
    return await make_sink()
