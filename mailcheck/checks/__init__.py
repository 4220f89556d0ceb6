"""Checks: one module per check; each gathers facts with ``await`` and decides in pure code."""

from __future__ import annotations

from mailcheck.checks.interface import Check, CheckContext
from mailcheck.checks.mx import MxCheck
from mailcheck.checks.provider import ProviderCheck
from mailcheck.checks.tls_posture import TlsPostureCheck

# Receiving side first, as the report reads: where mail enters, then the sender.
# The SMTP probe is opt-in (--probe-rcpt), so it is added by ``app.report_checks``.
DEFAULT_CHECKS: tuple[Check, ...] = (MxCheck(), ProviderCheck(), TlsPostureCheck())

__all__ = ["DEFAULT_CHECKS", "Check", "CheckContext"]
