"""Mimecast: X-Mimecast-Spam-Score (an integer; higher means more spam characteristics).

Mimecast rejects in protocol at a spam score of 28 or more whatever the policy
(mimecastsupport.zendesk.com "Spam / Phishing - Message Insight - Spam Score"). Lower scores
have no documented verdict, so they are shown, not judged.
"""

from __future__ import annotations

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import Disposition, Verdict, first_value, fmt, number
from mailcheck.rulefiles.providers import ProviderId

VENDOR = "Mimecast"
REJECT_AT = 28


class MimecastDecoder:
    """See ``Decoder``."""

    vendor = VENDOR
    product: str = ProviderId.MIMECAST
    headers = (
        "x-mimecast-spam-score",
        "x-mimecast-spam-signature",
        "x-mimecast-bulk-signature",
        "x-mimecast-impersonation-protect",
    )

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """See ``Decoder.decode``."""
        value = first_value(headers, "X-Mimecast-Spam-Score")
        if value is None:
            return ()
        score = number(value)
        details = [("spam score", value.strip())]
        for name in (
            "X-Mimecast-Spam-Signature",
            "X-Mimecast-Bulk-Signature",
            "X-Mimecast-Impersonation-Protect",
        ):
            extra = first_value(headers, name)
            if extra is not None:
                details.append((name, extra[:200]))
        if score is not None and score >= REJECT_AT:
            disposition = Disposition.SPAM
            summary = f"spam score {fmt(score)} ≥ {REJECT_AT}: Mimecast rejects this"
        else:
            disposition = Disposition.UNKNOWN
            summary = (
                f"spam score {fmt(score)} (higher = more spam-like; below {REJECT_AT} the "
                "outcome depends on the tenant's policy)"
            )
        bulk = first_value(headers, "X-Mimecast-Bulk-Signature")
        if bulk is not None and disposition is Disposition.UNKNOWN:
            disposition, summary = Disposition.BULK, summary + "; a bulk signature matched"
        return (
            Verdict(
                VENDOR,
                "X-Mimecast-Spam-Score",
                disposition,
                summary,
                ProviderId.MIMECAST,
                score,
                float(REJECT_AT),
                tuple(details),
                raw=value,
            ),
        )
