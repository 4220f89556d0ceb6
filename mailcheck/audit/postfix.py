"""Postfix access maps: ``cidr:`` tables (``postscreen_access_list``, ``check_client_access``)
and ``hash:``/``lmdb:``/``texthash:`` tables (``check_sender_access``).

Format: ``access(5)`` and ``cidr_table(5)``: one ``KEY ACTION`` per line, ``#`` comments. Only
permissive actions (``OK``, ``PERMIT``, ``permit``, ``RELAY``) are allowlist entries. A sender
key is the envelope address a client claims: the map never checks that claim, so address and
domain entries are unauthenticated.
"""

from __future__ import annotations

from mailcheck.audit.base import entry_from_token, logical_lines, sort_into
from mailcheck.audit.interface import AllowlistEntry, ReadResult, Unreadable

_ALLOW = frozenset({"ok", "permit", "relay"})


class PostfixReader:
    """See ``AllowlistReader``."""

    name = "postfix"
    product = "Postfix access map (cidr:/hash:)"

    def read(self, source: str, text: str) -> ReadResult:
        """See ``AllowlistReader.read``."""
        entries: list[AllowlistEntry] = []
        unreadable: list[Unreadable] = []
        for number, line in logical_lines(text):
            fields = line.split()
            if len(fields) < 2 or fields[0].lower() in ("if", "endif") or fields[0][0] == "!":
                continue
            if fields[1].lower() not in _ALLOW:
                continue
            found = entry_from_token(source, number, line, fields[0], authenticated=False)
            sort_into(found, entries, unreadable)
        return ReadResult(tuple(entries), tuple(unreadable))
