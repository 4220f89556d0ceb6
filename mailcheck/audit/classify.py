"""Judge one allowlist entry against a profile (pure: shared-service owners are given).

Per entry, in order of what a reviewer must act on: admits forged mail (an unauthenticated
address/domain allow, or a shared sending service's pool), legacy (only a superseded page lists
it), wider than documented, matches a documented entry, or not related to this profile.
"""

from __future__ import annotations

from mailcheck.audit.interface import AllowlistEntry, EntryKind, Network
from mailcheck.base.model import Finding, Status
from mailcheck.rulefiles.profiles import Sender, SenderProfile, SourceNetwork


def classify(
    entry: AllowlistEntry, profile: SenderProfile, shared: tuple[str, ...] = ()
) -> Finding:
    """One finding for one entry; ``shared`` names the services whose live SPF covers it."""
    if entry.kind is EntryKind.NETWORK:
        return _network(entry, profile, shared)
    return _sender(entry, profile)


def _where(entry: AllowlistEntry) -> str:
    return f"{entry.source}:{entry.line}"


def _cited(profile: SenderProfile, item: Sender | SourceNetwork) -> str:
    return "; ".join(p.describe() for p in profile.sources_of(item))


def _finding(
    code: str, status: Status, entry: AllowlistEntry, summary: str, detail: str
) -> Finding:
    return Finding(code, status, summary, detail, entry.value, (f"{_where(entry)}: {entry.text}",))


def _network(entry: AllowlistEntry, profile: SenderProfile, shared: tuple[str, ...]) -> Finding:
    net = entry.network
    assert net is not None  # NETWORK entries always carry one
    inside = _within(net, profile.documented_hosts)
    exact = next((n for n in inside if n.network == net), None)
    legacy = _within(net, profile.legacy_networks)
    if shared and exact is None:
        return _finding(
            "AUD003",
            Status.FAIL,
            entry,
            f"{entry.value} is in {', '.join(shared)}'s shared pool: it admits every customer",
            "Every customer of that service can send from it, with any From address. "
            "Replace it with the authenticated entries below.",
        )
    if exact is not None:
        return _documented_network(entry, profile, exact, shared)
    if legacy:
        return _legacy(entry, profile, legacy[0])
    if inside:
        listed = ", ".join(str(n.network.network_address) for n in inside)
        return _finding(
            "AUD004",
            Status.WARN,
            entry,
            f"{entry.value} is wider than documented ({net.num_addresses} addresses)",
            f"The vendor documents only {listed} inside it: allow those single addresses.",
        )
    return _finding("AUD006", Status.INFO, entry, f"{entry.value}: not this vendor's", "")


def _within(net: Network, networks: tuple[SourceNetwork, ...]) -> list[SourceNetwork]:
    """The profile networks inside ``net`` (the same IP version only)."""
    return [
        n
        for n in networks
        if n.network.version == net.version and n.network.subnet_of(net)  # type: ignore[arg-type]
    ]


def _documented_network(
    entry: AllowlistEntry, profile: SenderProfile, exact: SourceNetwork, shared: tuple[str, ...]
) -> Finding:
    note = f" It is also in {', '.join(shared)}'s shared pool (live SPF)." if shared else ""
    return _finding(
        "AUD001",
        Status.WARN if shared else Status.PASS,
        entry,
        f"{entry.value} is documented",
        f"Documented by {_cited(profile, exact)}.{note}",
    )


def _legacy(entry: AllowlistEntry, profile: SenderProfile, item: Sender | SourceNetwork) -> Finding:
    return _finding(
        "AUD002",
        Status.WARN,
        entry,
        f"{entry.value}: legacy, remove it",
        f"Only a superseded page lists it: {_cited(profile, item)}.",
    )


def _sender(entry: AllowlistEntry, profile: SenderProfile) -> Finding:
    current = _matches(entry, profile.senders)
    legacy = _matches(entry, profile.legacy_senders)
    if not current and not legacy:
        return _finding("AUD006", Status.INFO, entry, f"{entry.value}: not this vendor's", "")
    if not entry.authenticated:
        return _finding(
            "AUD005",
            Status.FAIL,
            entry,
            f"{entry.value} is allowed without SPF/DKIM/DMARC: anyone can forge it",
            "The filter trusts the address the sender claims. Replace it with the "
            "authenticated entries below."
            + (" The vendor's current pages no longer list it." if not current else ""),
        )
    if not current:
        return _legacy(entry, profile, legacy[0])
    exact = next((s for s in current if _same(entry, s)), None)
    if exact is not None:
        return _finding(
            "AUD001",
            Status.PASS,
            entry,
            f"{entry.value} is documented",
            f"Documented by {_cited(profile, exact)}.",
        )
    listed = ", ".join(s.address for s in current)
    return _finding(
        "AUD004",
        Status.WARN,
        entry,
        f"{entry.value} is wider than documented",
        f"The vendor documents {listed} here: allow those instead.",
    )


def _same(entry: AllowlistEntry, sender: Sender) -> bool:
    """The entry admits exactly what ``sender`` documents (a domain entry equals ``*@domain``:
    its subdomains, which some filters include, are no vendor's documented senders)."""
    if entry.kind is EntryKind.ADDRESS:
        return sender.address == entry.value
    return sender.address == f"*@{entry.domain}"


def _matches(entry: AllowlistEntry, senders: tuple[Sender, ...]) -> list[Sender]:
    """The profile senders this entry admits (a domain entry admits its subdomains too)."""
    domain = entry.domain
    if entry.kind is EntryKind.ADDRESS:
        return [s for s in senders if s.address == entry.value or _wild_covers(s, entry.value)]
    if entry.kind is EntryKind.WILDCARD:
        return [s for s in senders if s.domain == domain]
    return [s for s in senders if s.domain == domain or s.domain.endswith("." + domain)]


def _wild_covers(sender: Sender, address: str) -> bool:
    return sender.is_wildcard and sender.domain == address.rpartition("@")[2]
