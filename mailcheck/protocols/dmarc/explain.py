"""Plain-language explanation of a DMARC record's effective tags (RFC 9989 semantics)."""

from __future__ import annotations

from mailcheck.protocols.dmarc.record import Alignment, DmarcRecord, Policy, PsdFlag

_POLICY = {
    Policy.NONE: "monitor only: failing mail is delivered as usual",
    Policy.QUARANTINE: "failing mail goes to spam/quarantine",
    Policy.REJECT: "failing mail is rejected",
}
_ALIGN = {Alignment.RELAXED: "relaxed (same Organizational Domain)", Alignment.STRICT: "strict"}
_PSD = {
    PsdFlag.YES: "a Public Suffix Domain's record (psd=y)",
    PsdFlag.NO: "this domain is an Organizational Domain (psd=n)",
    PsdFlag.UNSET: "",
}


def explain_record(record: DmarcRecord) -> tuple[str, ...]:
    """One line per tag as a receiver applies it, defaults marked."""
    lines = [
        _line(record, "p", f"p={record.policy}: {_POLICY[record.policy]}"),
        _line(record, "sp", f"sp={record.subdomain_policy}: existing subdomains"),
        _line(record, "np", f"np={record.nonexistent_policy}: non-existent subdomains"),
        _line(record, "adkim", f"adkim={record.adkim}: DKIM alignment {_ALIGN[record.adkim]}"),
        _line(record, "aspf", f"aspf={record.aspf}: SPF alignment {_ALIGN[record.aspf]}"),
    ]
    if record.test_mode:
        lines.append("t=y: test mode, receivers are asked not to apply the policy")
    if _PSD[record.psd]:
        lines.append(f"psd={record.psd}: {_PSD[record.psd]}")
    rua = ", ".join(u.uri for u in record.rua) or "none"
    lines.append(f"rua (aggregate reports): {rua}")
    if record.ruf:
        lines.append(
            f"ruf (failure reports): {', '.join(u.uri for u in record.ruf)}; fo={record.fo}"
        )
    return tuple(lines)


def _line(record: DmarcRecord, tag: str, text: str) -> str:
    return text if tag in record.tags else f"{text} (default)"
