"""Microsoft 365 / Exchange Online Protection: X-Forefront-Antispam-Report, X-Microsoft-Antispam
(BCL), X-Microsoft-Antispam-Mailbox-Delivery and the ``compauth`` result.

Meanings follow Microsoft Learn "Anti-spam message headers in Microsoft 365"
(MicrosoftDocs/defender-docs defender-office-365/message-headers-eop-mdo.md), the SCL and BCL
pages beside it; see also ../shared/research/verdict-headers-and-dnsbl.md.
"""

from __future__ import annotations

import re

from mailcheck.message.authres import parse_authres
from mailcheck.message.headers import HeaderSection
from mailcheck.message.verdicts.base import Disposition, Verdict, first_value, fmt, number, pairs
from mailcheck.rulefiles.providers import ProviderId

BCL_THRESHOLD = 7  # default anti-spam policy; Standard preset 6, Strict 5
_THRESHOLDS = "default policy 7, Standard preset 6, Strict preset 5 (admins can change it)"
VENDOR = "Microsoft 365"
_SFS = re.compile(r"\((\d{1,12})\)")

SFV = {
    "NSPM": "spam filtering marked it not spam",
    "SPM": "spam filtering marked it spam",
    "SFE": "skipped: sender is in the user's Safe Senders",
    "BLK": "blocked: sender is in the user's Blocked Senders",
    "SKA": "skipped: allowed sender/domain list of the anti-spam policy",
    "SKB": "blocked: blocked sender/domain list of the anti-spam policy",
    "SKN": "marked not spam before filtering (e.g. a mail flow rule set SCL -1)",
    "SKS": "marked spam before filtering (e.g. a mail flow rule)",
    "SKQ": "released from quarantine",
    "SKI": "skipped: filtering bypassed for another reason (intra-organisation mail, allow rule)",
}
CAT = {
    "AMP": "anti-malware",
    "BIMP": "brand impersonation",
    "BULK": "bulk",
    "DIMP": "domain impersonation",
    "FTBP": "anti-malware common attachments filter",
    "GIMP": "mailbox intelligence impersonation",
    "HPHSH": "high confidence phishing",
    "HPHISH": "high confidence phishing",
    "HSPM": "high confidence spam",
    "INTOS": "intra-organisation phishing",
    "MALW": "malware",
    "OSPM": "outbound spam",
    "PHSH": "phishing",
    "SAP": "safe attachments",
    "SPM": "spam",
    "SPOOF": "spoofing",
    "UIMP": "user impersonation",
    "NONE": "no policy category",
}
IPV = {
    "CAL": "the source IP is on an IP Allow List: filtering skipped",
    "NLI": "the source IP is not on any IP reputation list",
}
SFTY = {
    "9.19": "domain impersonation",
    "9.20": "user impersonation",
    "9.25": "first contact safety tip",
}
DEST = {"I": "Inbox", "J": "Junk Email folder", "C": "a custom folder"}
COMPAUTH = {
    "000": "explicit fail: DMARC failed and the domain's policy is quarantine or reject",
    "001": "implicit fail: the sender's domain has no or weak authentication records",
    "002": "the organisation forbids this sender/domain pair from spoofing",
    "010": "DMARC failed with p=quarantine/reject for one of the organisation's own domains",
    "130": "ARC overrode a DMARC failure",
}
_COMPAUTH_CLASSES = {
    "1": "passed",
    "7": "passed",
    "2": "soft-passed",
    "3": "not checked",
    "4": "bypassed",
    "9": "bypassed",
    "6": "implicit fail for an accepted domain",
}


# Microsoft's own encoded diagnostics: no public meaning, and not a verdict; listed so they
# are not shown as unknown spam headers on every Microsoft 365 message.
_OPAQUE = (
    "x-microsoft-antispam-message-info",
    "x-microsoft-antispam-message-info-original",
    "x-microsoft-antispam-prvs",
    "x-microsoft-antispam-untrusted",
    "x-forefront-antispam-report-untrusted",
    "x-ms-exchange-antispam-messagedata",
    "x-ms-exchange-antispam-messagedata-chunkcount",
    "x-ms-exchange-antispam-messagedata-0",
    "x-ms-exchange-antispam-srfa-diagnostics",
    "x-exchange-antispam-report-test",
    "x-exchange-antispam-report-cfa-test",
)


class MicrosoftDecoder:
    """See ``Decoder``."""

    vendor = VENDOR
    product: str = ProviderId.MICROSOFT_365
    headers = (
        "x-forefront-antispam-report",
        "x-microsoft-antispam",
        "x-microsoft-antispam-mailbox-delivery",
        *_OPAQUE,
    )

    def decode(self, headers: HeaderSection) -> tuple[Verdict, ...]:
        """See ``Decoder.decode``."""
        out: list[Verdict] = []
        forefront = first_value(headers, "X-Forefront-Antispam-Report")
        if forefront is not None:
            out.append(decode_forefront(forefront))
        antispam = first_value(headers, "X-Microsoft-Antispam")
        if antispam is not None and {"BCL", "SFV"} & set(dict(pairs(antispam))):
            out.append(decode_bcl(antispam))
        delivery = first_value(headers, "X-Microsoft-Antispam-Mailbox-Delivery")
        if delivery is not None and "DEST" in dict(pairs(delivery)):
            out.append(_decode_delivery(delivery))
        out += [
            v for f in headers.get_all("Authentication-Results")[:20] if (v := _compauth(f.value))
        ]
        return tuple(out[:6])


def decode_forefront(value: str) -> Verdict:
    """X-Forefront-Antispam-Report: SFV, SCL, CAT, IPV, SRV, SFTY, CIP, H, PTR, DIR."""
    fields = dict(pairs(value))
    scl = number(fields.get("SCL"))
    sfv, cat = fields.get("SFV", "").upper(), fields.get("CAT", "").upper()
    details = [(k, _explain(k, v)) for k, v in pairs(value) if k in _KNOWN]
    disposition = _forefront_disposition(sfv, cat, scl, fields)
    where = (
        "Junk/quarantine"
        if disposition not in (Disposition.NOT_SPAM, Disposition.ALLOWED)
        else "Inbox"
    )
    summary = f"SCL {fmt(scl)}, SFV:{sfv or '?'}, CAT:{cat or '?'} → {disposition.value} ({where})"
    return Verdict(
        VENDOR,
        "X-Forefront-Antispam-Report",
        disposition,
        summary,
        ProviderId.MICROSOFT_365,
        scl,
        5.0,
        tuple(details),
        raw=value,
    )


_KNOWN = (
    "SFV",
    "SCL",
    "CAT",
    "IPV",
    "SRV",
    "SFTY",
    "CIP",
    "H",
    "PTR",
    "DIR",
    "CTRY",
    "LANG",
    "SFS",
)
_SKIPPED = ("SFE", "SKA", "SKN", "SKQ", "SKI")  # spam filtering did not judge the message


def _forefront_disposition(
    sfv: str, cat: str, scl: float | None, fields: dict[str, str]
) -> Disposition:
    if cat in ("PHSH", "HPHSH", "HPHISH", "INTOS", "BIMP", "DIMP", "GIMP", "UIMP"):
        return Disposition.PHISH
    if cat == "SPOOF":
        return Disposition.SPOOF
    if sfv in ("SPM", "BLK", "SKB", "SKS") or (scl is not None and scl >= 5):
        bulk = cat == "BULK" or fields.get("SRV", "").upper() == "BULK"
        return Disposition.BULK if bulk else Disposition.SPAM
    if sfv in _SKIPPED or fields.get("IPV", "").upper() == "CAL" or scl == -1:
        return Disposition.ALLOWED
    if sfv == "NSPM" or (scl is not None and scl in (0, 1)):
        return Disposition.NOT_SPAM
    return Disposition.UNKNOWN


def _explain(key: str, value: str) -> str:
    table = {"SFV": SFV, "CAT": CAT, "IPV": IPV, "SFTY": SFTY}.get(key)
    if key == "SFS":
        return _rules(value)
    if table is not None:
        return f"{value}: {table.get(value.upper(), 'undocumented value')}"
    names = {
        "CIP": "connecting IP",
        "H": "HELO name",
        "PTR": "PTR of the connecting IP",
        "DIR": "direction (INB inbound, OUT outbound, INT internal)",
        "SCL": "spam confidence level",
        "SRV": "service marker (BULK = bulk by BCL threshold)",
        "CTRY": "country",
        "LANG": "language",
    }
    return f"{value or '(empty)'}: {names.get(key, key)}"


def _rules(value: str) -> str:
    """SFS: the spam filter rules that matched, as (number) groups; Microsoft publishes no
    meaning for the numbers, so they are listed, not explained."""
    found = _SFS.findall(value)
    if not found:
        return f"{value or '(empty)'}: spam filter rules (unreadable list)"
    return f"{len(found)} spam filter rule(s) matched: {', '.join(found[:20])} (undocumented ids)"


def decode_bcl(value: str) -> Verdict:
    """X-Microsoft-Antispam: BCL (bulk complaint level) against the default threshold 7, and
    SFV when present (SFV:SKI and the other skips mean filtering did not judge it)."""
    fields = dict(pairs(value))
    bcl = number(fields.get("BCL"))
    sfv = fields.get("SFV", "").upper()
    bulk = bcl is not None and bcl >= BCL_THRESHOLD
    relation = "≥" if bulk else "<"
    verdict = "bulk" if bulk else "not bulk at the default threshold"
    summary = f"BCL {fmt(bcl)} {relation} threshold {BCL_THRESHOLD} → {verdict}"
    details = [("BCL", _bcl_meaning(bcl)), ("thresholds", _THRESHOLDS)] + [
        (k, v) for k, v in fields.items() if k in ("PCL", "SRVR")
    ]
    if sfv:
        details.insert(0, ("SFV", _explain("SFV", sfv)))
    disposition = Disposition.BULK if bulk else Disposition.NOT_SPAM
    if sfv in _SKIPPED and not bulk:
        disposition = Disposition.ALLOWED
        summary = f"SFV:{sfv}: {SFV[sfv]}; " + summary.replace(verdict, Disposition.ALLOWED.value)
    return Verdict(
        VENDOR,
        "X-Microsoft-Antispam",
        disposition,
        summary,
        ProviderId.MICROSOFT_365,
        bcl,
        float(BCL_THRESHOLD),
        tuple(details),
        raw=value,
    )


def _bcl_meaning(bcl: float | None) -> str:
    if bcl is None:
        return "unreadable"
    if bcl == 0:
        return "0: not from a bulk sender"
    if bcl <= 3:
        return f"{fmt(bcl)}: bulk sender with few complaints"
    if bcl <= 7:
        return f"{fmt(bcl)}: bulk sender with a mixed number of complaints"
    return f"{fmt(bcl)}: bulk sender with many complaints"


def _decode_delivery(value: str) -> Verdict:
    dest = dict(pairs(value)).get("DEST", "").upper()
    where = DEST.get(dest, f"undocumented destination {dest!r}")
    disposition = Disposition.SPAM if dest == "J" else Disposition.NOT_SPAM
    if dest not in ("I", "J"):
        disposition = Disposition.UNKNOWN
    return Verdict(
        VENDOR,
        "X-Microsoft-Antispam-Mailbox-Delivery",
        disposition,
        f"delivered to {where} (dest:{dest})",
        ProviderId.MICROSOFT_365,
        details=(("dest", where),),
        raw=value,
    )


def _compauth(value: str) -> Verdict | None:
    for result in parse_authres(value).by_method("compauth"):
        reason = (result.reason or "").strip()
        meaning = COMPAUTH.get(reason) or _COMPAUTH_CLASSES.get(reason[:1], "undocumented reason")
        disposition = {
            "fail": Disposition.SPOOF,
            "pass": Disposition.NOT_SPAM,
            "softpass": Disposition.NOT_SPAM,
        }.get(result.result, Disposition.UNKNOWN)
        summary = f"compauth={result.result} reason={reason or '?'}: {meaning}"
        return Verdict(
            VENDOR,
            "Authentication-Results (compauth)",
            disposition,
            summary,
            ProviderId.MICROSOFT_365,
            details=(("compauth", result.result), ("reason", reason)),
            raw=value,
        )
    return None
