"""Filtering-provider signatures (``rules/providers.toml``) and matching MX hosts against them.

A provider is recognised by the suffix of an MX host name; address ranges are a fallback for
vanity MX names that point at a provider. Loading is strict like every rules file.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from mailcheck.dns.interface import normalize_name
from mailcheck.rulefile import (
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

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Provider:
    """One filtering service and how to recognise it."""

    id: str
    name: str
    mx_suffixes: tuple[str, ...]
    networks: tuple[Network, ...] = ()
    documentation: str = ""

    def matches_name(self, host: str) -> str | None:
        """The suffix that ``host`` ends in, if any (whole labels only)."""
        name = normalize_name(host)
        for suffix in self.mx_suffixes:
            if name == suffix or name.endswith("." + suffix):
                return suffix
        return None

    def matches_address(self, address: str) -> Network | None:
        """The listed network that holds ``address``, if any."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        return next((n for n in self.networks if ip.version == n.version and ip in n), None)


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
    suffixes = []
    for key, raw in table.strings("mx_suffixes", required=True):
        suffix = normalize_name(raw)
        if not _SUFFIX.match(suffix):
            table.problem(key.rpartition(".")[2], f"{raw!r} is not a domain name suffix")
        suffixes.append(suffix)
    if not suffixes:
        table.problem("mx_suffixes", "at least one suffix is needed")
    networks = []
    for key, raw in table.strings("networks"):
        try:
            networks.append(ipaddress.ip_network(raw, strict=True))
        except ValueError as exc:
            table.problem(key.rpartition(".")[2], f"{raw!r}: {exc}")
    documentation = table.text("documentation", required=False)
    table.finish()
    return Provider(provider_id, name, tuple(suffixes), tuple(networks), documentation)


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
