"""Microsoft 365 exports: the Tenant Allow/Block List
(``Get-TenantAllowBlockListItems -ListType Sender | Export-Csv``; columns ``Value`` and
``Action``, only ``Allow`` rows are entries) and mail flow rules
(``Get-TransportRule | Select-Object Name,SetSCL,SenderDomainIs,From,SenderIpRanges,
HeaderMatchesPatterns | Export-Csv``, multi-valued cells joined with ``;`` or ``,``).

Microsoft honours a sender allow entry only when the message also passes email authentication
(see ``snippets/exchange_online.py``), so TABL address and domain rows count as authenticated;
IP rows carry no such condition. A transport rule that sets SCL -1 is an allow; its sender
conditions are authenticated only when it also requires ``dmarc=pass``/``spf=pass``/
``dkim=pass`` in a header pattern.
"""

from __future__ import annotations

import csv
import io
import re

from mailcheck.audit.base import entry_from_token, sort_into
from mailcheck.audit.interface import AllowlistEntry, ReadResult, Unreadable
from mailcheck.base.errors import AllowlistError


class Microsoft365Reader:
    """See ``AllowlistReader``."""

    name = "microsoft365"
    product = "Microsoft 365 Tenant Allow/Block List (Export-Csv)"

    def read(self, source: str, text: str) -> ReadResult:
        """See ``AllowlistReader.read``."""
        lines = [line for line in text.splitlines() if not line.startswith("#TYPE")]
        try:
            rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
        except csv.Error as exc:
            raise AllowlistError(f"{source}: not a CSV export: {exc}") from exc
        if rows and "SetSCL" in rows[0]:
            return _transport_rules(source, rows)
        if rows and not {"Value", "Action"} <= set(rows[0]):
            raise AllowlistError(
                f"{source}: the CSV has neither Value and Action columns (Tenant Allow/Block "
                "List) nor SetSCL (transport rules)"
            )
        entries: list[AllowlistEntry] = []
        unreadable: list[Unreadable] = []
        for number, row in enumerate(rows, start=2):
            if (row.get("Action") or "").strip().lower() != "allow":
                continue
            value = (row.get("Value") or "").strip()
            item = entry_from_token(source, number, value, value, authenticated=True)
            if isinstance(item, AllowlistEntry) and item.network is not None:
                item = AllowlistEntry(source, number, value, item.kind, item.value, False)
            sort_into(item, entries, unreadable)
        return ReadResult(tuple(entries), tuple(unreadable))


_RULE_SENDERS = (("SenderDomainIs", ""), ("From", ""), ("SenderIpRanges", ""))
_AUTH_PATTERN = re.compile(r"\b(dmarc|spf|dkim)=pass", re.I)


def _transport_rules(source: str, rows: list[dict[str, str]]) -> ReadResult:
    """Rules that set SCL -1 (bypass spam filtering): each sender condition is an entry."""
    entries: list[AllowlistEntry] = []
    unreadable: list[Unreadable] = []
    for number, row in enumerate(rows, start=2):
        if (row.get("SetSCL") or "").strip() != "-1":
            continue
        authenticated = bool(_AUTH_PATTERN.search(row.get("HeaderMatchesPatterns") or ""))
        name = (row.get("Name") or "").strip()
        for column, _ in _RULE_SENDERS:
            cell = (row.get(column) or "").strip()
            if cell.startswith("System."):
                reason = f"{column} was exported as a type name: export it with -join ';'"
                unreadable.append(Unreadable(source, number, name, reason))
                continue
            for value in filter(None, (v.strip() for v in re.split(r"[;,]", cell))):
                item = entry_from_token(
                    source,
                    number,
                    f"{name}: {column} {value}",
                    value,
                    authenticated=authenticated and column != "SenderIpRanges",
                )
                sort_into(item, entries, unreadable)
    return ReadResult(tuple(entries), tuple(unreadable))
