"""Checks: one module per check; each gathers facts with ``await`` and decides in pure code.

Naming: the check ``x`` lives in ``x.py`` (the I/O half: ``gather``, then ``run``); its facts are
frozen dataclasses in ``mailcheck/facts/x.py``; its decision is a pure ``evaluate(facts, ...)``
returning findings, in ``x.py`` while short, else in ``x_findings.py``, which never imports
``x.py`` (``tests/test_facts_layering.py`` counts the circles).
"""

from __future__ import annotations

from mailcheck.checks.dnsbl import DnsblCheck
from mailcheck.checks.interface import Check, CheckContext
from mailcheck.checks.mx import MxCheck
from mailcheck.checks.mx_hygiene import MxHygieneCheck
from mailcheck.checks.profile_networks import ProfileNetworksCheck
from mailcheck.checks.provider import ProviderCheck
from mailcheck.checks.reverse_dns import ReverseDnsCheck
from mailcheck.checks.sender_dmarc import SenderDmarcCheck
from mailcheck.checks.sender_spf import SenderSpfCheck
from mailcheck.checks.shared_infra import SharedInfraCheck
from mailcheck.checks.tls import TlsPostureCheck

# The company's side: where mail enters, which filter, which TLS. The SMTP probe is opt-in
# (--probe-rcpt), so ``app.report_checks`` adds it.
RECEIVING_CHECKS: tuple[Check, ...] = (
    MxCheck(),
    MxHygieneCheck(),
    ProviderCheck(),
    TlsPostureCheck(),
)

# ``mailcheck sender``: the sender side only, no company domain needed.
SENDER_CHECKS: tuple[Check, ...] = (
    ProfileNetworksCheck(),
    SenderSpfCheck(),
    SharedInfraCheck(),
    SenderDmarcCheck(),
    ReverseDnsCheck(),
    DnsblCheck(),
)

# Receiving side first, as the report reads: where mail enters, then the sender.
DEFAULT_CHECKS: tuple[Check, ...] = RECEIVING_CHECKS + SENDER_CHECKS

__all__ = ["DEFAULT_CHECKS", "RECEIVING_CHECKS", "SENDER_CHECKS", "Check", "CheckContext"]
