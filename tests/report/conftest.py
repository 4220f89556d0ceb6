"""Report test fixtures (helpers live in ``reportdata.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from reportdata import (
    PAYLOADS,
    EchoCheck,
    FixedCheck,
    build,
    probe_result,
    recording,
    sender_spf_result,
    snippet_result,
)

from mailcheck.base.model import CheckResult, Finding, Report, Status
from mailcheck.checks.mx import MxCheck
from mailcheck.facts.provider import ProviderFacts


@pytest.fixture
def xss_report() -> tuple[Report, str]:
    """A report whose every DNS-derived string is an XSS payload."""
    payload_snippet = snippet_result([(PAYLOADS[0], "\n".join(PAYLOADS))])
    provider = CheckResult(
        "provider", "Provider", (), ProviderFacts("xss.example", "mx", "x", PAYLOADS[1])
    )
    spf = sender_spf_result(PAYLOADS[0], PAYLOADS[1], "192.0.2.0/24", ("192.0.2.1", PAYLOADS[2]))
    checks = (
        MxCheck(),
        EchoCheck(),
        FixedCheck(payload_snippet),
        FixedCheck(provider),
        FixedCheck(spf),
        FixedCheck(probe_result(PAYLOADS[0], PAYLOADS[1])),
    )
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
    spf = sender_spf_result(
        "account.trimble.com", "mailgun.org", "52.101.68.0/24", ("52.101.68.20", "54.240.27.9")
    )
    provider = CheckResult(
        "provider",
        "Filtering provider: which service receives the mail",
        (Finding("TST003", Status.INFO, "Mail for html.example is received by its own servers"),),
        ProviderFacts("html.example", "mx", "self-hosted", "Self-hosted"),
    )
    probe = probe_result("mx1.html.example", "250 2.1.5 Ok")
    checks = (
        MxCheck(),
        FixedCheck(spf),
        FixedCheck(provider),
        FixedCheck(probe),
        FixedCheck(snippets),
    )
    return build("html.example", recording("html.example"), checks)


@pytest.fixture
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Screenshots for humans to look at: ``$MAILCHECK_ARTIFACTS`` (CI keeps them), else a
    temporary folder; never the checkout, which tests must not write into."""
    configured = os.environ.get("MAILCHECK_ARTIFACTS")
    path = Path(configured) if configured else tmp_path_factory.getbasetemp() / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    yield path
