"""Whose header is it? Trust in a verdict or Authentication-Results field follows where it
came from, not only where it sits.

A field above the entry Received was written after the message entered the organisation.
Below it, a field is still the organisation's own when its provenance says so:

- the entry hop is a provider that strips this field at its boundary and stamps it itself
  (``stamped_headers`` in ``rules/providers.toml``, e.g. Exchange's header firewall for
  ``X-MS-Exchange-Organization-*``), so no sender's copy can survive;
- an rspamd milter header whose ``X-Rspamd-Queue-Id`` is the entry hop's queue id;
- a SpamAssassin header whose ``X-Spam-Checker-Version`` names the entry receiver (``on HOST``);
- an Authentication-Results written right below the entry Received by the org's receiver:
  a provider that writes it there (Microsoft 365, without an authserv-id, or its listed
  authserv-ids) or an authserv-id the user named with ``--authserv-id``.

Anything else below the entry hop was in the message when it arrived and may be forged. Each
decision names its rule, and the report shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mailcheck.message.headers import HeaderField, HeaderSection
from mailcheck.message.org import OrgContext, within
from mailcheck.message.received import ReceivedHop

_RSPAMD = ("x-spamd-result", "x-spamd-bar", "x-rspamd-action", "x-rspamd-server")
_SPAMASSASSIN = ("x-spam-status", "x-spam-flag", "x-spam-level", "x-spam-report")
_CHECKER_HOST = re.compile(r"\bon\s+([A-Za-z0-9][A-Za-z0-9.-]{0,252})\s*$")


class Rule(StrEnum):
    """Which provenance rule decided a field's trust."""

    NO_ENTRY = "no-entry-hop"  # no entry hop found: every field is taken as inside
    ABOVE_ENTRY = "above-entry"  # written after the message entered the organisation
    STAMPED = "provider-stamped"  # the entry provider strips and writes this field
    QUEUE_ID = "queue-id"  # tied to the entry hop by the MTA's queue id
    CHECKER_HOST = "checker-host"  # SpamAssassin names the entry receiver as its host
    AUTHSERV_ID = "authserv-id"  # the org's receiver's Authentication-Results below its hop
    BELOW_ENTRY = "below-entry"  # present when the message arrived: not the org's


@dataclass(frozen=True)
class Provenance:
    """The decision for one field: is it the organisation's, by which rule, on what."""

    ours: bool
    rule: Rule
    detail: str = ""

    @property
    def text(self) -> str:
        """The rule and its evidence in one line, for the report."""
        return f"{self.rule.value}: {self.detail}" if self.detail else self.rule.value


@dataclass(frozen=True)
class Entry:
    """The entry hop and the range of header fields written in its transaction."""

    hop: ReceivedHop | None
    block_end: int  # index of the next older Received field (or one past the last field)

    @property
    def index(self) -> int | None:
        """The entry Received field's index, if there is an entry hop."""
        return self.hop.field_index if self.hop is not None else None

    def in_block(self, index: int) -> bool:
        """Between the entry Received and the next older Received."""
        return self.hop is not None and self.hop.field_index < index < self.block_end


def entry_of(headers: HeaderSection, hop: ReceivedHop | None) -> Entry:
    """Locate the entry hop's block of fields in the header section."""
    if hop is None:
        return Entry(None, -1)
    if hop.field_index < 0:  # the SMTP session itself (the sink): no field in the message is its
        return Entry(hop, 0)
    older = [f.index for f in headers.get_all("Received") if f.index > hop.field_index]
    return Entry(hop, older[0] if older else len(headers.fields))


def verdict_provenance(
    name: str, index: int, headers: HeaderSection, entry: Entry, org: OrgContext
) -> Provenance:
    """Trust for one verdict field (``name`` at ``index``)."""
    if entry.hop is None:
        return Provenance(True, Rule.NO_ENTRY, "no entry hop: the newest hop is taken as ours")
    if entry.index is not None and index < entry.index:
        return Provenance(True, Rule.ABOVE_ENTRY, "written after the entry hop")
    stamped = _stamped(name, entry.hop, org)
    if stamped is not None:
        return stamped
    key = name.lower()
    if key in _RSPAMD:
        return _queue_id(headers, entry.hop)
    if key in _SPAMASSASSIN:
        return _checker_host(headers, entry.hop, org)
    return _below()


def authres_provenance(
    field: HeaderField,
    authserv_id: str | None,
    entry: Entry,
    org: OrgContext,
    first_below: bool = True,
) -> Provenance:
    """Trust in one Authentication-Results field's *position* (the authserv-id check of the
    fields above the entry stays with ``trust``). ``first_below``: no other
    Authentication-Results sits between the entry Received and this field; the receiver
    writes its own right under its Received, so any lower copy is the sender's."""
    if entry.hop is None:
        return Provenance(True, Rule.NO_ENTRY, "no entry hop: the newest hop is taken as ours")
    if entry.index is not None and field.index < entry.index:
        return Provenance(True, Rule.ABOVE_ENTRY, "written after the entry hop")
    if not entry.in_block(field.index) or not first_below:
        return _below()
    named = (authserv_id or "").lower()
    if named and named in org.authserv_ids:
        return Provenance(True, Rule.AUTHSERV_ID, f"{named} is a --authserv-id of the org")
    provider = org.provider
    if provider is None or not (
        provider.is_front_door(entry.hop.by_host) or provider.is_relay(entry.hop.by_host)
    ):
        return _below()
    if not named and not provider.writes_authserv_id:
        why = f"{provider.name} writes it without an authserv-id below its own Received"
        return Provenance(True, Rule.AUTHSERV_ID, why)
    if named and any(within(named, s) for s in provider.authserv_ids):
        return Provenance(True, Rule.AUTHSERV_ID, f"{named} is an authserv-id of {provider.name}")
    return _below()


def _below() -> Provenance:
    return Provenance(False, Rule.BELOW_ENTRY, "present when the message arrived: may be forged")


def _stamped(name: str, hop: ReceivedHop, org: OrgContext) -> Provenance | None:
    provider = org.provider
    if provider is None or not (
        provider.is_front_door(hop.by_host) or provider.is_relay(hop.by_host)
    ):
        return None
    entry = provider.stamps(name)
    if entry is None:
        return None
    why = f"{provider.name} strips {entry} from incoming mail and writes it itself"
    return Provenance(True, Rule.STAMPED, why)


def _queue_id(headers: HeaderSection, hop: ReceivedHop) -> Provenance:
    queue_id = (hop.id or "").strip()
    for value in headers.get_all("X-Rspamd-Queue-Id")[:10]:
        if queue_id and value.value.strip() == queue_id:
            return Provenance(
                True, Rule.QUEUE_ID, f"X-Rspamd-Queue-Id {queue_id} = the entry hop's id"
            )
    return _below()


def _checker_host(headers: HeaderSection, hop: ReceivedHop, org: OrgContext) -> Provenance:
    for field in headers.get_all("X-Spam-Checker-Version")[:10]:
        found = _CHECKER_HOST.search(field.value.strip())
        host = found.group(1).lower().rstrip(".") if found else ""
        by = (hop.by_host or "").lower()
        if host and (host == by or by.startswith(host + ".") or org.is_org_host(host)):
            why = f"X-Spam-Checker-Version names {host}, the entry receiver"
            return Provenance(True, Rule.CHECKER_HOST, why)
    return _below()
