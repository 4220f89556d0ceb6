"""rspamd multimap: ``multimap.conf`` rules with inline maps, and plain map files.

A rule of ``type = "ip"`` matches the connecting IP; ``from``/``header`` rules match an
address. A rule is authenticated when it ``require_symbols`` a DMARC/DKIM/SPF pass symbol
(``DMARC_POLICY_ALLOW``, ``R_DKIM_ALLOW``, ``R_SPF_ALLOW``), as mailcheck's own snippet does.
A plain map file (one entry a line) carries no condition, so its addresses are unauthenticated.
"""

from __future__ import annotations

import re

from mailcheck.audit.base import entry_from_token, logical_lines, sort_into
from mailcheck.audit.interface import AllowlistEntry, ReadResult, Unreadable

_RULE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*\{(.*?)^\s*\}", re.S | re.M)
_MAP = re.compile(r"\bmap\s*=\s*(\[.*?\]|\"[^\"]*\")", re.S)
_STRING = re.compile(r"\"([^\"]*)\"")
_AUTH_SYMBOLS = re.compile(
    r"require_symbols\s*=.*\b(DMARC_POLICY_ALLOW|R_DKIM_ALLOW|R_SPF_ALLOW)\b"
)


class RspamdReader:
    """See ``AllowlistReader``."""

    name = "rspamd"
    product = "rspamd multimap (multimap.conf rules or a map file)"

    def read(self, source: str, text: str) -> ReadResult:
        """See ``AllowlistReader.read``."""
        if "{" not in text:
            return _map_file(source, text)
        entries: list[AllowlistEntry] = []
        unreadable: list[Unreadable] = []
        for rule in _RULE.finditer(text):
            body = rule.group(2)
            found = _MAP.search(body)
            if found is None:
                continue
            authenticated = bool(_AUTH_SYMBOLS.search(body))
            offset = rule.start(2) + found.start()
            for token in _STRING.finditer(found.group(1)):
                line = text.count("\n", 0, offset + token.start()) + 1
                if token.group(1).startswith(("$", "/", "file:", "http")):
                    reason = "the map is an external file: audit that file too"
                    unreadable.append(Unreadable(source, line, token.group(1), reason))
                    continue
                item = entry_from_token(
                    source,
                    line,
                    f"{rule.group(1)}: {token.group(1)}",
                    token.group(1),
                    authenticated=authenticated,
                )
                sort_into(item, entries, unreadable)
        return ReadResult(tuple(entries), tuple(unreadable))


def _map_file(source: str, text: str) -> ReadResult:
    entries: list[AllowlistEntry] = []
    unreadable: list[Unreadable] = []
    for number, line in logical_lines(text):
        sort_into(
            entry_from_token(source, number, line, line.split()[0], authenticated=False),
            entries,
            unreadable,
        )
    return ReadResult(tuple(entries), tuple(unreadable))
