"""Sender profiles: load and strictly validate ``rules/senders/*.toml`` into frozen models.

A profile says which addresses and source IPs a SaaS vendor documents for its mail. Every value
is validated here (addresses by email-validator, networks by ``ipaddress``, domains IDNA
normalised), so snippets and checks can trust what they get. Format: ``rules/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from mailcheck.base.errors import ProfileError
from mailcheck.rulefiles.loader import (
    Problems,
    RulesDocument,
    Table,
    check_header,
    load_rules_of_kind,
    read_rules_file,
)
from mailcheck.rulefiles.sources import Provenance, read_entry_sources, read_provenance
from mailcheck.rulefiles.values import (
    Network,
    is_ipv4_mapped,
    overlapping_pairs,
    parse_network,
    unmap_network,
    unsafe_reason,
    wildcard_problem,
)

KIND = "sender-profile"
FORMAT_VERSION = 1
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class Environment(StrEnum):
    """Which of the vendor's environments sends from an address."""

    PRODUCTION = "production"
    STAGING = "staging"


@dataclass(frozen=True)
class Sender:
    """One documented sender: an exact address, or ``*@domain`` for any address there."""

    address: str  # lower-case local part, ASCII (A-label) domain
    environment: Environment
    note: str = ""
    sources: tuple[str, ...] = ()  # provenance ids of the pages that list it
    legacy: bool = False  # listed only by superseded pages: never allowlisted, audit says remove
    environment_inferred: bool = False  # no page labels the environment (guessed from a name)

    @property
    def domain(self) -> str:
        """The domain part."""
        return self.address.rpartition("@")[2]

    @property
    def is_wildcard(self) -> bool:
        """True for ``*@domain``."""
        return self.address.startswith("*@")


@dataclass(frozen=True)
class SourceNetwork:
    """An IP or network the vendor names as a source of its mail."""

    network: Network
    documented: bool = True  # False: only hinted at by the vendor; never allowlisted
    label: str = ""
    note: str = ""
    sources: tuple[str, ...] = ()  # provenance ids of the pages that list it
    legacy: bool = False  # listed only by superseded pages: never allowlisted, audit says remove

    @property
    def is_host(self) -> bool:
        """True for a single address (/32 or /128)."""
        return self.network.num_addresses == 1


@dataclass(frozen=True)
class SenderProfile:
    """A validated sender profile, pinned to its file by SHA-256."""

    id: str
    name: str
    vendor: str
    purpose: str
    provenance: tuple[Provenance, ...]
    senders: tuple[Sender, ...]
    networks: tuple[SourceNetwork, ...]
    envelope_domains: tuple[str, ...] = ()
    dkim_domains: tuple[str, ...] = ()
    addresses_case_insensitive: bool = True
    source: str = ""
    sha256: str = ""
    # Entries only superseded pages list: known (``mailcheck audit`` says "remove"), never
    # in ``senders``/``networks``, so no check, snippet or match ever treats them as current.
    legacy_senders: tuple[Sender, ...] = ()
    legacy_networks: tuple[SourceNetwork, ...] = ()

    def provenance_item(self, source_id: str) -> Provenance | None:
        """The provenance item with this id, or None."""
        return next((p for p in self.provenance if p.id == source_id), None)

    def sources_of(self, entry: Sender | SourceNetwork) -> tuple[Provenance, ...]:
        """The provenance items an entry cites, in citation order."""
        found = (self.provenance_item(source_id) for source_id in entry.sources)
        return tuple(p for p in found if p is not None)

    @property
    def sender_domains(self) -> tuple[str, ...]:
        """Every domain that appears in a sender address, sorted."""
        return tuple(sorted({s.domain for s in self.senders}))

    @property
    def documented_hosts(self) -> tuple[SourceNetwork, ...]:
        """The documented single addresses: the only IPs a snippet may ever name."""
        return tuple(n for n in self.networks if n.documented and n.is_host)

    def match_address(self, address: str) -> Sender | None:
        """The profile sender an address falls under (exact match first), or None."""
        wanted = address.strip().lower()
        local, _, domain = wanted.rpartition("@")
        exact = [s for s in self.senders if s.address == wanted]
        wildcard = [s for s in self.senders if s.is_wildcard and s.domain == domain and local]
        found = exact or wildcard
        return found[0] if found else None


def load_profile_file(path: Path, *, allow_unsafe_networks: bool = False) -> SenderProfile:
    """Load and validate one sender profile file."""
    return profile_from_document(read_rules_file(path), allow_unsafe_networks=allow_unsafe_networks)


def profile_from_document(
    document: RulesDocument, *, allow_unsafe_networks: bool = False
) -> SenderProfile:
    """Validate a parsed rules file as a sender profile; all problems raise together.

    Networks no internet sender can own are refused unless ``allow_unsafe_networks``."""
    problems = Problems(document.path)
    root = Table(document.data, "", problems)
    check_header(root, KIND, FORMAT_VERSION)
    profile_id = root.text("id")
    if profile_id and not _ID.match(profile_id):
        root.problem("id", "use lower-case letters, digits and inner hyphens (max 64)")
    provenance = read_provenance(root.tables("provenance", required=True))
    senders = _senders(root.tables("senders"), provenance, problems)
    networks = _networks(root.tables("networks"), provenance, problems, allow_unsafe_networks)
    profile = SenderProfile(
        id=profile_id,
        name=root.text("name"),
        vendor=root.text("vendor"),
        purpose=root.text("purpose"),
        provenance=provenance,
        senders=tuple(s for s in senders if not s.legacy),
        networks=tuple(n for n in networks if not n.legacy),
        legacy_senders=tuple(s for s in senders if s.legacy),
        legacy_networks=tuple(n for n in networks if n.legacy),
        envelope_domains=_domains(root, "envelope_domains"),
        dkim_domains=_domains(root, "dkim_domains"),
        addresses_case_insensitive=root.boolean("addresses_case_insensitive", default=True),
        source=str(document.path),
        sha256=document.sha256,
    )
    root.finish()
    if not profile.senders and not profile.networks and not problems.items:
        # Some vendors document only IPs (Okta): a profile needs a sender or a network.
        problems.add("senders", "a profile needs at least one current sender or network")
    problems.raise_if_any()
    return profile


def _senders(
    tables: list[Table], provenance: tuple[Provenance, ...], problems: Problems
) -> tuple[Sender, ...]:
    seen: dict[str, str] = {}
    senders: list[Sender] = []
    for table in tables:
        address = _address(table)
        environment = _environment(table)
        note = table.text("note", required=False)
        inferred = table.boolean("environment_inferred", default=False)
        sources, legacy = read_entry_sources(table, provenance)
        table.finish()
        if inferred and not note:
            table.problem("note", "an inferred environment must say in a note what it rests on")
        if not address or environment is None:
            continue
        if address in seen:
            table.problem("address", f"duplicates {seen[address]} ({address})")
            continue
        seen[address] = table.path("address")
        senders.append(Sender(address, environment, note, sources, legacy, inferred))
    _check_wildcard_environments(senders, tables, problems)
    return tuple(senders)


def _address(table: Table) -> str:
    raw = table.text("address")
    if not raw:
        return ""
    if raw.startswith("*@"):
        domain = normalize_domain(raw[2:])
        if domain is None:
            table.problem("address", f"{raw!r}: the domain after '*@' is not a valid mail domain")
        return f"*@{domain}" if domain else ""
    try:
        valid = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        table.problem("address", f"{raw!r}: {exc}")
        return ""
    return _validate_address(table, raw, valid.local_part.lower(), valid.ascii_domain.lower())


def _validate_address(table: Table, raw: str, local: str, domain: str) -> str:
    """The exact address, or "" with a problem when its local part carries wildcards."""
    problem = wildcard_problem(local)
    if problem is not None:
        table.problem("address", f"{raw!r}: {problem}")
        return ""
    return f"{local}@{domain}"


def _environment(table: Table) -> Environment | None:
    value = table.text("environment")
    try:
        return Environment(value)
    except ValueError:
        if value:
            choices = ", ".join(e.value for e in Environment)
            table.problem("environment", f"{value!r} is not one of {choices}")
        return None


def _check_wildcard_environments(
    senders: list[Sender], tables: list[Table], problems: Problems
) -> None:
    """An exact address and the wildcard that covers it must agree on the environment."""
    wildcards = {s.domain: s for s in senders if s.is_wildcard}
    for sender in senders:
        cover = wildcards.get(sender.domain)
        if cover and cover is not sender and cover.environment != sender.environment:
            problems.add(
                "senders",
                f"{sender.address} is {sender.environment} but "
                f"{cover.address} says {cover.environment}: contradictory",
            )


def _networks(
    tables: list[Table],
    provenance: tuple[Provenance, ...],
    problems: Problems,
    allow_unsafe: bool,
) -> tuple[SourceNetwork, ...]:
    networks: list[SourceNetwork] = []
    seen: dict[Network, str] = {}
    for table in tables:
        network = _network(table, allow_unsafe)
        documented = table.boolean("documented", default=True)
        label, note = table.text("label", required=False), table.text("note", required=False)
        sources, legacy = read_entry_sources(table, provenance)
        table.finish()
        if network is None:
            continue
        if not documented and not note:
            table.problem("note", "an undocumented network must say in a note why it is listed")
        if network in seen:
            table.problem("network", f"duplicates {seen[network]} ({network})")
            continue
        seen[network] = table.path("network")
        networks.append(SourceNetwork(network, documented, label, note, sources, legacy))
    current = [n for n in networks if not n.legacy]
    _check_documented_overlap(current, seen, problems)
    return tuple(networks)


def _network(table: Table, allow_unsafe: bool) -> Network | None:
    raw = table.text("network")
    if not raw:
        return None
    try:
        network = parse_network(raw)
        if is_ipv4_mapped(network):  # loaded as the IPv4 network it means (RFC 4291 §2.5.5.2)
            network = unmap_network(network)
    except ValueError as exc:
        table.problem("network", f"{ascii(raw)}: {exc}")
        return None
    return _validate_network(table, network, allow_unsafe)


def _validate_network(table: Table, network: Network, allow_unsafe: bool) -> Network | None:
    """The network, or None with a problem when no internet sender can own it (unless the
    user passed ``--allow-unsafe-networks``; the report then says so)."""
    reason = unsafe_reason(network)
    if reason is None or allow_unsafe:
        return network
    table.problem(
        "network",
        f"{network}: refused, {reason} (load it anyway with --allow-unsafe-networks)",
    )
    return None


def _check_documented_overlap(
    networks: list[SourceNetwork], paths: dict[Network, str], problems: Problems
) -> None:
    documented = [n.network for n in networks if n.documented]
    for i, j in overlapping_pairs(documented):
        first, second = documented[i], documented[j]
        problems.add(
            paths[second],
            f"{second} overlaps {paths[first]} ({first}); documented networks must not overlap",
        )


def _domains(root: Table, key: str) -> tuple[str, ...]:
    out: list[str] = []
    for path, raw in root.strings(key):
        domain = normalize_domain(raw)
        if domain is None:
            root.problem(key, f"{path}: {raw!r} is not a valid domain")
        elif domain in out:
            root.problem(key, f"{path}: {domain} is listed twice")
        else:
            out.append(domain)
    return tuple(out)


def normalize_domain(raw: str) -> str | None:
    """IDNA-normalise and lower-case a mail domain; None when it is not a valid one."""
    try:
        valid = validate_email(f"postmaster@{raw}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return valid.ascii_domain.lower()


def load_profiles(
    extra_dirs: tuple[Path, ...] = (), *, allow_unsafe_networks: bool = False
) -> dict[str, SenderProfile]:
    """Every sender profile: the shipped ones, then the user's (``--rules DIR``); ids unique."""
    profiles: dict[str, SenderProfile] = {}
    validate = partial(profile_from_document, allow_unsafe_networks=allow_unsafe_networks)
    found = load_rules_of_kind(KIND, validate, extra_dirs, builtin_as_rules=True)
    for path, profile in found:
        if profile.id in profiles:
            raise ProfileError(
                f"{path}: id: {profile.id!r} is already defined in {profiles[profile.id].source}"
            )
        profiles[profile.id] = profile
    return profiles


def get_profile(
    profile_id: str, extra_dirs: tuple[Path, ...] = (), *, allow_unsafe_networks: bool = False
) -> SenderProfile:
    """One profile by id; an unknown id raises ``ProfileError`` listing the known ones."""
    profiles = load_profiles(extra_dirs, allow_unsafe_networks=allow_unsafe_networks)
    if profile_id not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ProfileError(f"no sender profile {profile_id!r} (known: {known})")
    return profiles[profile_id]
