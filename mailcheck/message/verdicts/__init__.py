"""Vendor verdict decoders behind one interface; ``DECODERS`` is the registry.

A new vendor is one module with a ``Decoder`` class and one line here.
"""

from __future__ import annotations

from dataclasses import replace

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.barracuda import BarracudaDecoder
from mailcheck.message.verdicts.base import HARMFUL, Decoder, Disposition, Verdict
from mailcheck.message.verdicts.exchange import VENDOR as EXCHANGE
from mailcheck.message.verdicts.exchange import ExchangeDecoder
from mailcheck.message.verdicts.microsoft import VENDOR as MICROSOFT
from mailcheck.message.verdicts.microsoft import MicrosoftDecoder
from mailcheck.message.verdicts.mimecast import MimecastDecoder
from mailcheck.message.verdicts.proofpoint import ProofpointDecoder
from mailcheck.message.verdicts.rspamd import RspamdDecoder
from mailcheck.message.verdicts.spamassassin import SpamAssassinDecoder
from mailcheck.message.verdicts.trendmicro import TrendMicroDecoder
from mailcheck.message.verdicts.unknown import unknown_spam_headers
from mailcheck.rulefiles.providers import ProviderId

DECODERS: tuple[Decoder, ...] = (
    MicrosoftDecoder(),
    ExchangeDecoder(),
    SpamAssassinDecoder(),
    RspamdDecoder(),
    ProofpointDecoder(),
    MimecastDecoder(),
    BarracudaDecoder(),
    TrendMicroDecoder(),
)


def decode_all(headers: HeaderSection) -> tuple[Verdict, ...]:
    """Every verdict in the header section: decoded vendors first, then unknown raw ones."""
    verdicts = [v for decoder in DECODERS for v in decoder.decode(headers)]
    if any(v.vendor == MICROSOFT for v in verdicts):
        # Microsoft 365 writes Exchange's SCL stamp too; there it is Microsoft 365's verdict
        verdicts = [
            replace(v, vendor=MICROSOFT, filter=ProviderId.MICROSOFT_365, summary=_cloud_scl(v))
            if v.vendor == EXCHANGE
            else v
            for v in verdicts
        ]
    consumed = [name for decoder in DECODERS for name in decoder.headers]
    return tuple(verdicts) + unknown_spam_headers(headers, consumed)


def _cloud_scl(verdict: Verdict) -> str:
    """Microsoft 365's SCL scale: 5-6 spam, 7-9 high confidence spam, -1 filtering skipped."""
    return f"SCL {verdict.summary.split()[1]} (cloud: 5-6 spam, 7-9 high confidence spam) → " + (
        verdict.disposition.value
    )


__all__ = ["DECODERS", "HARMFUL", "Decoder", "Disposition", "Verdict", "decode_all"]
