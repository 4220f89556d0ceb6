"""Who "the organisation" is while reading a message: its domains, networks and filter.

The entry hop and the trust in Authentication-Results both depend on it. The filtering
provider is recognised from the org's MX hosts; each provider's own hop names and
authserv-ids are listed here because its Received and Authentication-Results fields carry
them rather than the customer's domain.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from mailcheck.message.received import IPAddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Provider:
    """A filtering service: how to recognise its MX, its internal hops, its authserv-ids."""

    name: str
    filter: str  # the snippet filter name that configures it
    mx_suffixes: tuple[str, ...]
    hop_suffixes: tuple[str, ...] = ()  # names of its internal relays (trusted hops)
    authserv_suffixes: tuple[str, ...] = ()
    authserv_none: bool = False  # writes Authentication-Results without an authserv-id


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "Microsoft 365",
        "m365",
        ("mail.protection.outlook.com",),
        (
            "prod.outlook.com",
            "prod.protection.outlook.com",
            "prod.exchangelabs.com",
            "mail.protection.outlook.com",
            "outlook.office365.com",
        ),
        ("microsoft.com", "outlook.com"),
        authserv_none=True,
    ),
    Provider("Google", "google", ("google.com", "googlemail.com"), (), ("mx.google.com",)),
    Provider(
        "Proofpoint Essentials",
        "proofpoint-essentials",
        ("ppe-hosted.com",),
        ("ppe-hosted.com",),
        ("ppe-hosted.com",),
    ),
    Provider(
        "Proofpoint",
        "proofpoint",
        ("pphosted.com",),
        ("pphosted.com",),
        ("pphosted.com", "ppops.net"),
    ),
    Provider("Mimecast", "mimecast", ("mimecast.com",), ("mimecast.com",), ("mimecast.com",)),
    Provider(
        "Barracuda",
        "barracuda",
        ("barracudanetworks.com",),
        ("barracudanetworks.com", "ess.barracuda.com"),
        ("barracudanetworks.com", "barracuda.com"),
    ),
    Provider("Cisco Secure Email", "cisco", ("iphmx.com",), ("iphmx.com",), ("iphmx.com",)),
    Provider("Sophos", "sophos", ("prod.hydra.sophos.com",), ("hydra.sophos.com",), ()),
    Provider("Trend Micro", "trendmicro", ("tmes.trendmicro.com",), ("trendmicro.com",), ()),
)


# RFC 1918, RFC 6598 (CGNAT) and RFC 4193 (ULA). Not ``ip.is_private``: that also covers the
# documentation ranges (192.0.2.0/24 ...), which are outside addresses in tests and examples.
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)


@dataclass(frozen=True)
class OrgContext:
    """The receiving organisation as far as this analysis knows it (all parts optional)."""

    domains: tuple[str, ...] = ()
    networks: tuple[Network, ...] = ()
    provider: Provider | None = None
    authserv_ids: tuple[str, ...] = ()  # when set, only these ids are trusted
    ignored_authserv_ids: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """True when something says where the organisation begins."""
        return bool(self.domains or self.networks)

    def is_org_host(self, name: str | None) -> bool:
        """A host name inside the org's domains or its filter's internal relays."""
        suffixes = self.domains + (self.provider.hop_suffixes if self.provider else ())
        return name is not None and any(within(name, s) for s in suffixes)

    def is_filter_host(self, name: str | None) -> bool:
        """A host of the org's filtering provider (its MX front door or internal relays)."""
        if name is None or self.provider is None:
            return False
        suffixes = self.provider.mx_suffixes + self.provider.hop_suffixes
        return any(within(name, s) for s in suffixes)

    def is_internal_ip(self, ip: IPAddress | None) -> bool:
        """Private, loopback or link-local addresses, and the org's own networks."""
        if ip is None:
            return False
        if (
            ip.is_loopback
            or ip.is_link_local
            or any(ip in n for n in _PRIVATE if n.version == ip.version)
        ):
            return True
        return any(ip in network for network in self.networks if network.version == ip.version)

    def is_own_authserv_id(self, authserv_id: str | None) -> bool:
        """Whether the org's own receivers write this authserv-id. Without --authserv-id or
        --org-domain there is nothing to compare with, and the position decides alone."""
        if self.authserv_ids:
            return (authserv_id or "").lower() in self.authserv_ids
        if authserv_id is None:
            return bool(self.provider and self.provider.authserv_none) or not self.domains
        if not self.domains:
            return True
        suffixes = self.domains + (self.provider.authserv_suffixes if self.provider else ())
        return any(within(authserv_id, s) for s in suffixes)


def infer_provider(top_by_host: str | None) -> Provider | None:
    """Without --org-domain, the filter that wrote the newest hop is taken as the org's."""
    if top_by_host is None:
        return None
    for provider in PROVIDERS:
        if any(within(top_by_host, s) for s in provider.hop_suffixes + provider.mx_suffixes):
            return provider
    return None


def detect_provider(mx_hosts: tuple[str, ...]) -> Provider | None:
    """The filtering provider behind these MX hosts, if one is known."""
    for provider in PROVIDERS:
        if any(within(host, s) for host in mx_hosts for s in provider.mx_suffixes):
            return provider
    return None


def within(name: str, suffix: str) -> bool:
    """``name`` equals ``suffix`` or is below it (case-insensitive)."""
    name, suffix = name.lower().rstrip("."), suffix.lower().rstrip(".")
    return name == suffix or name.endswith("." + suffix)
