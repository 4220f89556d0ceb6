"""Exchange Server (on-premises) antispam stamps: X-MS-Exchange-Organization-SCL, -PCL and
-Antispam-Report.

Source: OfficeDocs-Exchange antispam-and-antimalware/antispam-protection/antispam-stamps.md.
Microsoft 365 writes X-MS-Exchange-Organization-SCL too, so this decoder also runs there.
"""

from __future__ import annotations

from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import Disposition, Verdict, first_value, fmt, number, pairs

VENDOR = "Exchange Server"
JUNK_THRESHOLD = 4  # SCLJunkThreshold default: SCL above it goes to Junk Email
_REPORT = {
    "DV": "antispam definitions version",
    "CW": "custom word weight",
    "PCL": "phishing confidence level",
    "P100": "phishing URL blocked",
    "PP": "presolved puzzle",
    "SID": "Sender ID result",
    "TIME": "time stamp",
    "MIME": "MIME non-compliance",
    "ORIGIP": "original connecting IP",
    "IPONALLOWLIST": "IP is on the IP Allow list",
    "MESSAGESECURITYANTISPAMBYPASS": "antispam bypassed (authenticated/partner connector)",
    "SENDERBYPASSED": "sender is on a bypass list",
    "ALLRECIPIENTSBYPASSED": "all recipients bypass antispam",
}


class ExchangeDecoder:
    """See ``Decoder``."""

    vendor = VENDOR
    product: str = "exchange-server"
    headers = (
        "x-ms-exchange-organization-scl",
        "x-ms-exchange-organization-pcl",
        "x-ms-exchange-organization-antispam-report",
    )

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """See ``Decoder.decode``."""
        scl_text = first_value(headers, "X-MS-Exchange-Organization-SCL")
        pcl_text = first_value(headers, "X-MS-Exchange-Organization-PCL")
        report = first_value(headers, "X-MS-Exchange-Organization-Antispam-Report")
        if scl_text is None and pcl_text is None and report is None:
            return ()
        scl, pcl = number(scl_text), number(pcl_text)
        details = [("SCL", _scl_meaning(scl))]
        if pcl is not None:
            details.append(("PCL", f"{fmt(pcl)}: {'suspicious' if pcl >= 4 else 'neutral'}"))
        details += [(k, f"{v} ({_REPORT.get(k, k)})") for k, v in pairs(report or "")]
        disposition = _disposition(scl, pcl)
        summary = f"SCL {fmt(scl)} (junk above {JUNK_THRESHOLD} by default) → {disposition.value}"
        if pcl is not None:
            summary += f", PCL {fmt(pcl)}"
        raw = "; ".join(v for v in (scl_text, pcl_text, report) if v is not None)
        return (
            Verdict(
                VENDOR,
                "X-MS-Exchange-Organization-SCL",
                disposition,
                summary,
                "exchange-server",
                scl,
                float(JUNK_THRESHOLD),
                tuple(details),
                raw=raw,
            ),
        )


def _disposition(scl: float | None, pcl: float | None) -> Disposition:
    if pcl is not None and pcl >= 4 and (scl is None or scl >= 0):
        return Disposition.PHISH
    if scl is None:
        return Disposition.UNKNOWN
    if scl == -1:
        return Disposition.ALLOWED
    return Disposition.SPAM if scl > JUNK_THRESHOLD else Disposition.NOT_SPAM


def _scl_meaning(scl: float | None) -> str:
    if scl is None:
        return "absent or unreadable"
    if scl == -1:
        return "-1: antispam bypassed (internal, authenticated or allow-listed sender)"
    return f"{fmt(scl)}: 0 = very unlikely spam … 9 = very likely spam"
