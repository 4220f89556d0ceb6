"""Filtering providers (``rules/providers.toml``): the one table of what mailcheck knows about
each hosted mail filter, and matching MX hosts against it.

One entry holds everything about one product: its MX suffixes and address ranges (to
recognise it behind a domain), the names of its internal relays and the networks they talk
from (to walk a message's Received chain through it), its authserv-ids, the headers it strips
at its boundary and stamps itself (whose copies are therefore its own wherever they sit), and
the snippet filter that configures it. Loading is strict like every rules file.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from mailcheck.dns.interface import normalize_name
from mailcheck.rulefiles.loader import (
    Problems,
    RulesDocument,
    Table,
    builtin_rules_dir,
    check_header,
    read_rules_file,
)

KIND = "provider-signatures"
FORMAT_VERSION = 1
SELF_HOSTED = "self-hosted"  # the id reported when no signature matches

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SUFFIX = re.compile(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z]$")
_HEADER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*\*?$")  # a field name, or a prefix ending in *

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProviderId(StrEnum):
    """The shipped providers; code that treats one product specially keys on these (a test
    proves the enum and ``rules/providers.toml`` list the same ids)."""

    MICROSOFT_365 = "microsoft-365"
    GOOGLE_WORKSPACE = "google-workspace"
    PROOFPOINT = "proofpoint"
    PROOFPOINT_ESSENTIALS = "proofpoint-essentials"
    MIMECAST = "mimecast"
    BARRACUDA = "barracuda"
    CISCO_SECURE_EMAIL = "cisco-secure-email"
    SOPHOS = "sophos"
    TREND_MICRO = "trend-micro"
    HORNETSECURITY = "hornetsecurity"
    FORCEPOINT = "forcepoint"


@dataclass(frozen=True)
class Provider:
    """One filtering service and how to recognise it, its relays and its headers."""

    id: str
    name: str
    mx_suffixes: tuple[str, ...]
    networks: tuple[Network, ...] = ()
    documentation: str = ""
    hop_suffixes: tuple[str, ...] = ()  # names of its internal relays
    internal_networks: tuple[Network, ...] = ()  # addresses its relays talk to each other from
    authserv_ids: tuple[str, ...] = ()  # suffixes of the authserv-ids it writes
    writes_authserv_id: bool = True  # False: Authentication-Results without an authserv-id
    stamped_headers: tuple[str, ...] = ()  # removed at its boundary, then written by it
    verdicts: bool = False  # writes verdict headers decoded under this id
    snippet_filter: str = ""  # the ``mailcheck snippets --filter`` name that configures it

    def matches_name(self, host: str) -> str | None:
        """The MX suffix that ``host`` ends in, if any (whole labels only)."""
        return _suffix_of(host, self.mx_suffixes)

    def is_relay(self, host: str | None) -> bool:
        """``host`` is one of its internal relays."""
        return host is not None and _suffix_of(host, self.hop_suffixes) is not None

    def is_front_door(self, host: str | None) -> bool:
        """``host`` is one of its MX hosts (it receives from the world)."""
        return host is not None and _suffix_of(host, self.mx_suffixes) is not None

    def is_internal_address(self, address: str | None) -> bool:
        """``address`` is in the networks its relays use among themselves."""
        return _in_networks(address, self.internal_networks) is not None

    def stamps(self, header: str) -> str | None:
        """The ``stamped_headers`` entry that covers this field name, if any."""
        name = header.lower()
        for entry in self.stamped_headers:
            pattern = entry.lower()
            if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
                return entry
        return None

    def matches_address(self, address: str) -> Network | None:
        """The listed network that holds ``address``, if any."""
        return _in_networks(address, self.networks)


def _suffix_of(host: str, suffixes: tuple[str, ...]) -> str | None:
    name = normalize_name(host)
    return next((s for s in suffixes if name == s or name.endswith("." + s)), None)


def _in_networks(address: str | None, networks: tuple[Network, ...]) -> Network | None:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    return next((n for n in networks if ip.version == n.version and ip in n), None)


@dataclass(frozen=True)
class Match:
    """Which provider one MX host belongs to, and the evidence."""

    provider: str  # a provider id, or SELF_HOSTED
    method: str  # "name", "address" or "none"
    evidence: str = ""


def identify(
    providers: tuple[Provider, ...],
    host: str,
    addresses: tuple[str, ...],
    aliases: tuple[str, ...] = (),
) -> Match:
    """Match by name (the MX name, then the CNAME targets it leads to) before addresses."""
    for name in (host, *aliases):
        for provider in providers:
            suffix = provider.matches_name(name)
            if suffix:
                return Match(provider.id, "name", f"{name} ends in {suffix}")
    for provider in providers:
        for address in addresses:
            network = provider.matches_address(address)
            if network is not None:
                return Match(provider.id, "address", f"{host} -> {address} in {network}")
    return Match(SELF_HOSTED, "none")


def providers_from_document(document: RulesDocument) -> tuple[Provider, ...]:
    """Validate a parsed ``provider-signatures`` file; every problem raises together."""
    problems = Problems(document.path)
    root = Table(document.data, "", problems)
    check_header(root, KIND, FORMAT_VERSION)
    providers = [_provider(table) for table in root.tables("providers", required=True)]
    root.finish()
    _check_unique(providers, problems)
    problems.raise_if_any()
    return tuple(providers)


def _provider(table: Table) -> Provider:
    provider_id = table.text("id")
    name = table.text("name")
    if provider_id and (not _ID.match(provider_id) or provider_id == SELF_HOSTED):
        table.problem("id", f"{provider_id!r}: lower-case letters, digits, inner hyphens")
    suffixes = _suffixes(table, "mx_suffixes", required=True)
    if not suffixes:
        table.problem("mx_suffixes", "at least one suffix is needed")
    snippet_filter = table.text("snippet_filter", required=False)
    if snippet_filter and not _ID.match(snippet_filter):
        table.problem("snippet_filter", f"{snippet_filter!r} is not a filter name")
    provider = Provider(
        provider_id,
        name,
        suffixes,
        _networks(table, "networks"),
        table.text("documentation", required=False),
        _suffixes(table, "hop_suffixes"),
        _networks(table, "internal_networks"),
        _suffixes(table, "authserv_ids"),
        table.boolean("writes_authserv_id", default=True),
        _headers(table),
        table.boolean("verdicts", default=False),
        snippet_filter,
    )
    table.finish()
    return provider


def _suffixes(table: Table, key: str, required: bool = False) -> tuple[str, ...]:
    out = []
    for item, raw in table.strings(key, required=required):
        suffix = normalize_name(raw)
        if not _SUFFIX.match(suffix):
            table.problem(item.rpartition(".")[2], f"{raw!r} is not a domain name suffix")
        out.append(suffix)
    return tuple(out)


def _networks(table: Table, key: str) -> tuple[Network, ...]:
    out = []
    for item, raw in table.strings(key):
        try:
            out.append(ipaddress.ip_network(raw, strict=True))
        except ValueError as exc:
            table.problem(item.rpartition(".")[2], f"{raw!r}: {exc}")
    return tuple(out)


def _headers(table: Table) -> tuple[str, ...]:
    out = []
    for item, raw in table.strings("stamped_headers"):
        if not _HEADER.match(raw):
            table.problem(item.rpartition(".")[2], f"{raw!r} is not a header name or prefix*")
        out.append(raw)
    return tuple(out)


def _check_unique(providers: list[Provider], problems: Problems) -> None:
    ids: set[str] = set()
    owners: dict[str, str] = {}
    for provider in providers:
        if provider.id in ids:
            problems.add("providers", f"id {provider.id!r} is defined twice")
        ids.add(provider.id)
        for suffix in provider.mx_suffixes:
            if suffix in owners and owners[suffix] != provider.id:
                problems.add("providers", f"suffix {suffix!r} is claimed by two providers")
            owners[suffix] = provider.id


def load_providers(path: Path | None = None) -> tuple[Provider, ...]:
    """The shipped provider table (or the one at ``path``)."""
    return providers_from_document(read_rules_file(path or builtin_rules_dir() / "providers.toml"))


@cache
def shipped_providers() -> tuple[Provider, ...]:
    """The provider table shipped in ``rules/providers.toml`` (read once)."""
    return load_providers()


def provider_by_id(providers: tuple[Provider, ...], provider_id: str) -> Provider | None:
    """The entry with this id, if the table has one."""
    return next((p for p in providers if p.id == provider_id), None)
