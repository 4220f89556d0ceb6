"""Report test fixtures (helpers live in ``reportdata.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reportdata import PAYLOADS, EchoCheck, FixedCheck, build, recording, snippet_result

from mailcheck.checks.mx import MxCheck
from mailcheck.model import CheckResult, Report


@pytest.fixture
def xss_report() -> tuple[Report, str]:
    """A report whose every DNS-derived string is an XSS payload."""
    payload_snippet = snippet_result([(PAYLOADS[0], "\n".join(PAYLOADS))])
    provider = CheckResult("provider", "Provider", (), {"name": PAYLOADS[1]})
    checks = (MxCheck(), EchoCheck(), FixedCheck(payload_snippet), FixedCheck(provider))
    return build("xss.example", recording("xss.example"), checks)


@pytest.fixture
def html_report() -> tuple[Report, str]:
    """The showcase report: MX with a CNAME warning, two snippets, an unknown check."""
    snippets = snippet_result(
        [
            ("Exchange Online transport rule", "New-TransportRule -Name 'Trimble Identity'\n"),
            ("Postfix client access (IP allowlist)", "52.101.68.20 OK\n"),
        ]
    )
    checks = (MxCheck(), FixedCheck(snippets))
    return build("html.example", recording("html.example"), checks)


@pytest.fixture
def artifacts() -> Iterator[Path]:
    """``test-artifacts/`` at the repo root (git-ignored): screenshots for humans to look at."""
    path = Path(__file__).resolve().parents[2] / "test-artifacts"
    path.mkdir(exist_ok=True)
    yield path
