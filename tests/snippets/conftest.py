"""Fixtures for the snippet tests: the shipped Trimble profile, the test sender, its DNS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mailcheck.rulefiles.profiles import SenderProfile, get_profile, load_profile_file
from tests.nameserver import LoopbackNameserver, load_zones
from tests.snippets.paths import SNIPSENDER_PROFILE, SNIPSENDER_ZONE


@pytest.fixture(scope="session")
def trimble() -> SenderProfile:
    """The shipped Trimble Identity profile."""
    return get_profile("trimble-identity")


@pytest.fixture(scope="session")
def snipsender() -> SenderProfile:
    """The test sender whose zone publishes SPF, DKIM (sel1) and DMARC."""
    return load_profile_file(SNIPSENDER_PROFILE)


@pytest.fixture(scope="module")
def sender_dns() -> Iterator[LoopbackNameserver]:
    """The loopback test nameserver (serves snipsender.example), one per test module."""
    with LoopbackNameserver(load_zones(SNIPSENDER_ZONE.parent)) as server:
        yield server
