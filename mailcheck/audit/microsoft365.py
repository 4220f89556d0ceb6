"""Microsoft 365 Tenant Allow/Block List export
(``Get-TenantAllowBlockListItems -ListType Sender | Export-Csv``), and IP lists exported the
same way. Columns used: ``Value`` and ``Action`` (only ``Allow`` rows are entries).

Microsoft honours a sender allow entry only when the message also passes email authentication
(see ``snippets/exchange_online.py``), so address and domain rows count as authenticated; IP
rows carry no such condition.
"""

from __future__ import annotations

import csv
import io

from mailcheck.audit.base import entry_from_token, sort_into
from mailcheck.audit.interface import AllowlistEntry, ReadResult, Unreadable
from mailcheck.errors import AllowlistError


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
        if rows and not {"Value", "Action"} <= set(rows[0]):
            raise AllowlistError(f"{source}: the CSV has no Value and Action columns")
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
