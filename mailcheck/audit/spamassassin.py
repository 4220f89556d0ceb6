"""SpamAssassin welcomelist/whitelist lines (``Mail::SpamAssassin::Conf``).

``whitelist_from``/``welcomelist_from`` and their ``def_`` forms match the From address alone:
unauthenticated. ``*_from_rcvd ADDR RDNS`` also needs the relay's verified name (or ``[IP]``);
``*_from_dkim``, ``*_auth`` and ``*_from_spf`` need a DKIM/SPF pass: those are authenticated.
"""

from __future__ import annotations

import re

from mailcheck.audit.base import entry_from_token, logical_lines, sort_into
from mailcheck.audit.interface import AllowlistEntry, ReadResult, Unreadable

_DIRECTIVE = re.compile(
    r"^(?:def_)?(?:white|welcome)list_(from|from_rcvd|from_dkim|from_spf|auth)$", re.I
)
_AUTHENTICATED = frozenset({"from_rcvd", "from_dkim", "from_spf", "auth"})


class SpamAssassinReader:
    """See ``AllowlistReader``."""

    name = "spamassassin"
    product = "SpamAssassin (local.cf welcomelist/whitelist lines)"

    def read(self, source: str, text: str) -> ReadResult:
        """See ``AllowlistReader.read``."""
        entries: list[AllowlistEntry] = []
        unreadable: list[Unreadable] = []
        for number, line in logical_lines(text):
            fields = line.split()
            found = _DIRECTIVE.match(fields[0])
            if not found or len(fields) < 2:
                continue
            variant = found.group(1).lower()
            # *_from takes several addresses; the others take one address and a condition.
            tokens = fields[1:] if variant == "from" else fields[1:2]
            for token in tokens:
                item = entry_from_token(
                    source, number, line, token, authenticated=variant in _AUTHENTICATED
                )
                sort_into(item, entries, unreadable)
        return ReadResult(tuple(entries), tuple(unreadable))
