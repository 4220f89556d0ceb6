"""Shared fixtures: the loopback nameserver, a real NSD, the built wheel, and ``--run-online``.

Also re-exported for every folder: ``make_sink`` (``tests/sinks.py``, a real SMTP sink) and
``postfix_factory`` (``tests/postfix.py``, isolated Postfix instances).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests.nameserver import LoopbackNameserver, ZoneSet, load_zones, with_root
from tests.nsd import NsdServer, NsdUnavailableError
from tests.postfix import postfix_factory
from tests.sinks import make_sink
from tests.tooling import skip_or_fail

REPO = Path(__file__).resolve().parent.parent

# Fixtures defined elsewhere, collected by pytest because this conftest imports them.
__all__ = ["make_sink", "postfix_factory"]

# Hypothesis keeps no example database and caches outside the checkout (not ./.hypothesis/).
settings.register_profile("mailcheck", database=None)
settings.load_profile("mailcheck")
set_hypothesis_home_dir(Path(tempfile.gettempdir(), "mailcheck-hypothesis"))
# Folders a test run may create in the checkout: caches and virtual environments, nothing else.
_RUN_DIRS = {".git", ".venv", ".ci-venv", ".ci-cache", "__pycache__", ".pytest_cache"}


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--run-online``: live DNS tests are opt-in, since CI has no Internet."""
    parser.addoption(
        "--run-online",
        action="store_true",
        default=False,
        help="run tests marked online (they need real DNS)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``online`` marker (also in pyproject.toml, for --strict-markers)."""
    config.addinivalue_line("markers", "online: needs real DNS; skipped unless --run-online")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked ``online`` unless ``--run-online`` was given."""
    if config.getoption("--run-online"):
        return
    skip_online = pytest.mark.skip(reason="needs real DNS: pass --run-online")
    for item in items:
        if item.get_closest_marker("online") is not None:
            item.add_marker(skip_online)


def _checkout_files() -> set[str]:
    """Every file under the checkout, except version control, caches and virtual environments."""
    found = set()
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in _RUN_DIRS and not d.endswith(".egg-info")]
        found.update(os.path.relpath(os.path.join(folder, name), REPO) for name in files)
    return found


@pytest.fixture(scope="session", autouse=True)
def checkout_stays_clean() -> Iterator[None]:
    """Tests write to temporary folders only: fail the run if a file appeared in the checkout."""
    before = _checkout_files()
    yield
    added = sorted(_checkout_files() - before)
    assert not added, f"tests wrote into the checkout: {added[:10]}"


@pytest.fixture(scope="session")
def zone_set() -> ZoneSet:
    """tests/data/zones/*.zone, parsed once per session (the servers only read them)."""
    return load_zones()


@pytest.fixture
def nameserver(zone_set: ZoneSet) -> Iterator[LoopbackNameserver]:
    """A started loopback nameserver serving tests/data/zones/, stopped after the test."""
    with LoopbackNameserver(zone_set) as server:
        yield server


@pytest.fixture
def world(zone_set: ZoneSet) -> Iterator[LoopbackNameserver]:
    """Like ``nameserver``, plus an empty root zone: unknown names are NXDOMAIN, not REFUSED."""
    with LoopbackNameserver(with_root(zone_set)) as server:
        yield server


@pytest.fixture(scope="session")
def nsd_server() -> Iterator[NsdServer]:
    """NSD serving tests/data/zones/; skipped if nsd is missing (a failure under CI=true)."""
    server = NsdServer()
    try:
        server.start()
    except NsdUnavailableError as exc:
        skip_or_fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mailcheck wheel, built once per session (the packaging tests only read it)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("mailcheck-*.whl")
    return built
