"""Exim named lists: ``addresslist``, ``domainlist`` and ``hostlist`` (Exim spec ch. 10).

Items are separated by ``:``; a leading ``!`` negates an item (not an allow entry). A list is
only a set of names: it is authenticated when the same file uses it under a DKIM or SPF pass
condition (``dkim_status = pass`` / ``spf = pass``), as mailcheck's own snippet does.
"""

from __future__ import annotations

import re

from mailcheck.audit.base import entry_from_token, logical_lines, sort_into
from mailcheck.audit.interface import AllowlistEntry, ReadResult, Unreadable

_LIST = re.compile(r"^(addresslist|domainlist|hostlist)\s+(\S+)\s*=\s*(.*)$")
_AUTH = re.compile(r"\b(dkim_status\s*=\s*pass|spf\s*=\s*pass)\b")


class EximReader:
    """See ``AllowlistReader``."""

    name = "exim"
    product = "Exim named lists (addresslist/domainlist/hostlist)"

    def read(self, source: str, text: str) -> ReadResult:
        """See ``AllowlistReader.read``."""
        entries: list[AllowlistEntry] = []
        unreadable: list[Unreadable] = []
        conditioned = bool(_AUTH.search(text))
        for number, line in logical_lines(text):
            found = _LIST.match(line)
            if found is None:
                continue
            kind, name = found.group(1), found.group(2)
            authenticated = conditioned and kind != "hostlist" and f"+{name}" in text
            for item in found.group(3).split(":"):
                item = item.strip()
                if not item or item.startswith("!"):
                    continue
                token = "*@" + item[2:] if kind == "domainlist" and item.startswith("*.") else item
                made = entry_from_token(source, number, line, token, authenticated=authenticated)
                sort_into(made, entries, unreadable)
        return ReadResult(tuple(entries), tuple(unreadable))
