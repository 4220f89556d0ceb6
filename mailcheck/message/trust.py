"""Which Authentication-Results fields say anything about this message (RFC 8601 §5, §7.1).

Only fields added by the organisation's own receivers count: written after the message came
in (above the entry hop, or below it where ``provenance`` ties them to the org's receiver)
and carrying the org's authserv-id. Any other field below the entry hop was in the message
when it arrived, so the sender or any relay may have forged it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mailcheck.message.authres import AuthenticationResults, parse_authres
from mailcheck.message.headers import HeaderField
from mailcheck.message.org import OrgContext
from mailcheck.message.provenance import Entry, Rule, authres_provenance


class Trust(StrEnum):
    """How far one Authentication-Results field can be believed."""

    TRUSTED = "trusted"
    FOREIGN = "foreign-authserv-id"  # inside the org, but another service's verdict
    OUTSIDE = "outside"  # present before the message entered the org: may be forged
    IGNORED = "ignored"  # an authserv-id the user told us to ignore
    UNPARSEABLE = "unparseable"


@dataclass(frozen=True)
class AuthResField:
    """One Authentication-Results field, parsed, with the trust it deserves."""

    field_index: int
    parsed: AuthenticationResults
    trust: Trust
    raw: str
    rule: str = ""  # the provenance rule that decided (see ``mailcheck.message.provenance``)


def classify(
    fields: tuple[HeaderField, ...], entry: Entry, org: OrgContext
) -> tuple[AuthResField, ...]:
    """Parse and judge every Authentication-Results field against the entry hop."""
    below = [f.index for f in fields if entry.in_block(f.index)]
    first = below[0] if below else None
    return tuple(_judge(f, entry, org, f.index == first) for f in fields)


def _judge(field: HeaderField, entry: Entry, org: OrgContext, first: bool) -> AuthResField:
    parsed = parse_authres(field.value)
    provenance = authres_provenance(field, parsed.authserv_id, entry, org, first)
    if not parsed.ok and not parsed.results:
        trust = Trust.UNPARSEABLE
    elif not provenance.ours:
        trust = Trust.OUTSIDE
    elif parsed.authserv_id and parsed.authserv_id.lower() in org.ignored_authserv_ids:
        trust = Trust.IGNORED
    elif provenance.rule is Rule.AUTHSERV_ID or org.is_own_authserv_id(parsed.authserv_id):
        trust = Trust.TRUSTED
    else:
        trust = Trust.FOREIGN
    return AuthResField(field.index, parsed, trust, field.value[:2000], provenance.text)


def aggregate(fields: tuple[AuthResField, ...]) -> dict[str, str]:
    """method -> result over the trusted fields: ``pass`` if any says pass, else the first."""
    out: dict[str, str] = {}
    for item in fields:
        if item.trust is not Trust.TRUSTED:
            continue
        for result in item.parsed.results:
            if out.get(result.method) != "pass":
                out[result.method] = (
                    "pass" if result.result == "pass" else out.get(result.method, result.result)
                )
    return dict(sorted(out.items()))
