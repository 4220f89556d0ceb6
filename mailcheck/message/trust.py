"""Which Authentication-Results fields say anything about this message (RFC 8601 §5, §7.1).

Only fields added by the organisation's own receivers count: above the entry hop (written
after the message came in) and carrying the org's authserv-id. A field below the entry hop was
in the message when it arrived, so the sender or any relay may have forged it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mailcheck.message.authres import AuthenticationResults, parse_authres
from mailcheck.message.headers import HeaderField
from mailcheck.message.org import OrgContext


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


def classify(
    fields: tuple[HeaderField, ...], entry_field: int | None, org: OrgContext
) -> tuple[AuthResField, ...]:
    """Parse and judge every Authentication-Results field (``entry_field``: the entry hop's
    field index; None when no entry hop was found, so every field is inside)."""
    return tuple(_judge(f, entry_field, org) for f in fields)


def _judge(field: HeaderField, entry_field: int | None, org: OrgContext) -> AuthResField:
    parsed = parse_authres(field.value)
    if not parsed.ok and not parsed.results:
        trust = Trust.UNPARSEABLE
    elif entry_field is not None and field.index > entry_field:
        trust = Trust.OUTSIDE
    elif parsed.authserv_id and parsed.authserv_id.lower() in org.ignored_authserv_ids:
        trust = Trust.IGNORED
    elif not org.is_own_authserv_id(parsed.authserv_id):
        trust = Trust.FOREIGN
    else:
        trust = Trust.TRUSTED
    return AuthResField(field.index, parsed, trust, field.value[:2000])


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
