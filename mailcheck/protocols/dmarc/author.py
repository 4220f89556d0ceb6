"""The Author Domain: the domain of the RFC5322.From address, or why there is none.

DMARC is keyed on this one domain (RFC 9989 §3.2.1). Broken and hostile From fields are
common in phishing, and a lenient parse is dangerous: ``getaddresses`` reads
``"><x> <a@b.example>`` as the address ``"><x> <a@b.example>`` whose domain is
``b.example>``, a name nobody wrote. So a From counts only when there is exactly one From
field, it parses as RFC 5322 (obsolete forms allowed), and all its addresses share one valid
domain name. Otherwise DMARC cannot name an Author Domain, and receivers may reject the
message (RFC 7489 §6.6.1); callers say so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.errors import ObsoleteHeaderDefect
from email.headerregistry import AddressHeader, HeaderRegistry

import idna

# Real From fields are far shorter; the stdlib parser is slow on long hostile input
# (0.26 s for 4,000 quotes) and recurses on nested comments.
MAX_FROM = 2000
MAX_LABEL, MAX_NAME = 63, 253

_REGISTRY = HeaderRegistry()
_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class Author:
    """What the From field says about the author."""

    address: str = ""  # the first address, lower-cased; "" when none parses
    domain: str = ""  # the Author Domain (A-labels, lower case); "" when it cannot be named
    problem: str = ""  # why there is no Author Domain; "" when there is one
    written: str = ""  # the first address as written (letter case kept), for display


def author_of(values: Sequence[str]) -> Author:
    """The Author Domain from every From field's value, in order (unfolded, as
    ``message.headers.parse_headers`` gives them)."""
    if not values:
        return Author(problem="the message has no From field")
    if len(values) > 1:
        return Author(problem=f"the message has {len(values)} From fields; RFC 5322 allows one")
    value = values[0]
    if len(value) > MAX_FROM:
        return Author(problem=f"the From field is longer than {MAX_FROM:,} characters")
    try:
        header = _REGISTRY("from", value)
    except Exception:  # noqa: BLE001 - the stdlib parser raises anything on hostile input
        return Author(problem="the From field cannot be parsed")
    assert isinstance(header, AddressHeader)  # the registry's class for "from"
    addresses = [(a.username, a.domain) for a in header.addresses]
    if any(not isinstance(d, ObsoleteHeaderDefect) for d in header.defects) or not addresses:
        return Author(problem="the From field cannot be parsed as an address")
    return _one_domain(addresses)


def _one_domain(addresses: list[tuple[str, str]]) -> Author:
    written = f"{addresses[0][0]}@{addresses[0][1]}"
    first = written.lower()
    names = [_a_label(domain) for _, domain in addresses]
    if None in names:
        return Author(first, problem="a From address has no valid domain name", written=written)
    domains = {name for name in names if name is not None}
    if len(domains) > 1:
        listed = ", ".join(sorted(domains))
        problem = f"the From field names {len(domains)} domains ({listed})"
        return Author(first, problem=problem, written=written)
    return Author(first, domains.pop(), written=written)


def _a_label(domain: str) -> str | None:
    """The domain in lower-case A-labels, or None when it is not a host name.

    Not ``profiles.normalize_domain``: that refuses special-use names (``.test``, ``.local``)
    and dotless ones, which an admin may not type but which a received From can carry and
    DMARC still looks up.
    """
    name = domain.rstrip(".")
    try:
        ascii_name = name.lower() if name.isascii() else idna.encode(name, uts46=True).decode()
    except idna.IDNAError:
        return None
    labels = ascii_name.split(".")
    valid = all(
        0 < len(label) <= MAX_LABEL
        and set(label) <= _LDH
        and not label.startswith("-")
        and not label.endswith("-")
        for label in labels
    )
    return ascii_name if valid and len(ascii_name) <= MAX_NAME else None
