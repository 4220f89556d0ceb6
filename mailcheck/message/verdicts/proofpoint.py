"""Proofpoint: X-Proofpoint-Spam-Details (``rule= policy= score= spamscore= phishscore=
bulkscore= ...``).

Proofpoint publishes no field documentation; the field names are as observed in public
headers, and scores run 0-100 (100 = definite spam) per a customer KB
(gethelp.uh.edu/kb/3051). The decision here rests on the rule name, which names the verdict.
"""

from __future__ import annotations

import re

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import Disposition, Verdict, first_value, number
from mailcheck.rulefiles.providers import ProviderId

VENDOR = "Proofpoint"
_PAIR = re.compile(r"([a-z]+)=(\S*)")
_SCORES = (
    "score",
    "spamscore",
    "phishscore",
    "bulkscore",
    "malwarescore",
    "impostorscore",
    "suspectscore",
    "adultscore",
    "mlxscore",
    "mlxlogscore",
    "clxscore",
)


class ProofpointDecoder:
    """See ``Decoder``."""

    vendor = VENDOR
    product: str = ProviderId.PROOFPOINT
    headers = ("x-proofpoint-spam-details", "x-proofpoint-spam-reason")

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """See ``Decoder.decode``."""
        value = first_value(headers, "X-Proofpoint-Spam-Details")
        if value is None:
            return ()
        return (decode_details(value),)


def decode_details(value: str) -> Verdict:
    """One X-Proofpoint-Spam-Details value."""
    fields = dict(_PAIR.findall(value)[:60])
    rule = fields.get("rule", "").lower()
    disposition = _disposition(rule, fields)
    scores = [(k, fields[k]) for k in _SCORES if fields.get(k)]
    summary = f"rule={rule or '?'} policy={fields.get('policy', '?')}, "
    summary += f"spamscore {fields.get('spamscore', '?')}, bulkscore "
    summary += f"{fields.get('bulkscore', '?')} → {disposition.value}"
    spamscore = number(fields.get("spamscore"))
    details = tuple([("rule", rule), ("policy", fields.get("policy", ""))] + scores)
    return Verdict(
        VENDOR,
        "X-Proofpoint-Spam-Details",
        disposition,
        summary,
        ProviderId.PROOFPOINT,
        spamscore,
        None,
        details,
        raw=value,
    )


def _disposition(rule: str, fields: dict[str, str]) -> Disposition:
    if "notspam" in rule or rule.endswith("_safe") or rule == "safe":
        return Disposition.NOT_SPAM
    for word, disposition in (
        ("phish", Disposition.PHISH),
        ("bulk", Disposition.BULK),
        ("spam", Disposition.SPAM),
        ("spoof", Disposition.SPOOF),
        ("impostor", Disposition.SPOOF),
    ):
        if word in rule:
            return disposition
    if fields.get("classifier") == "spam" or (number(fields.get("spamscore")) or 0) >= 100:
        return Disposition.SPAM
    return Disposition.UNKNOWN
