"""Checks: one module per check; each gathers facts with ``await`` and decides in pure code."""

from __future__ import annotations

from mailcheck.checks.dnsbl import DnsblCheck
from mailcheck.checks.interface import Check, CheckContext
from mailcheck.checks.mx import MxCheck
from mailcheck.checks.reverse_dns import ReverseDnsCheck
from mailcheck.checks.sender_dmarc import SenderDmarcCheck
from mailcheck.checks.sender_spf import SenderSpfCheck
from mailcheck.checks.shared_infra import SharedInfraCheck

# Receiving side first, as the report reads: where mail enters, then the sender.
DEFAULT_CHECKS: tuple[Check, ...] = (
    MxCheck(),
    SenderSpfCheck(),
    SharedInfraCheck(),
    SenderDmarcCheck(),
    ReverseDnsCheck(),
    DnsblCheck(),
)

# ``mailcheck sender``: the sender side only, no company domain needed.
SENDER_CHECKS: tuple[Check, ...] = DEFAULT_CHECKS[1:]  # everything but the company's MX

__all__ = ["DEFAULT_CHECKS", "SENDER_CHECKS", "Check", "CheckContext"]
