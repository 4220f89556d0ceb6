"""Who "the organisation" is while reading a message: its domains, MX hosts, networks and
filtering provider.

The entry hop and the trust in Authentication-Results and verdict headers depend on it. The
org's receivers are its MX hosts (from DNS or a snapshot) and, when a filtering provider
runs them, that provider's internal relays; everything about a provider comes from
``rules/providers.toml`` (``mailcheck.rulefiles.providers``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from mailcheck.message.received import IPAddress
from mailcheck.rulefiles.providers import Network, Provider, shipped_providers

__all__ = [
    "Network",
    "OrgContext",
    "Provider",
    "detect_provider",
    "infer_provider",
    "is_provider_namespace",
    "org_domain_name",
    "shipped_providers",
    "within",
]

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
    mx_hosts: tuple[str, ...] = ()  # the org's MX host names, from DNS or a snapshot

    @property
    def known(self) -> bool:
        """True when something says where the organisation begins."""
        return bool(self.domains or self.networks or self.mx_hosts)

    def is_org_host(self, name: str | None) -> bool:
        """A host of the org: one of its MX hosts, its filter's internal relays, or a name in
        its domains (unless the domain is the provider's own, e.g. outlook.com, whose names
        include every other tenant's outbound hosts)."""
        if name is None:
            return False
        if any(within(name, host) for host in self.mx_hosts):
            return True
        if self.provider is not None and self.provider.is_relay(name):
            return True
        return any(within(name, d) for d in self.domains if not is_provider_namespace(d))

    def is_filter_host(self, name: str | None) -> bool:
        """A host of the org's filtering provider (its MX front door or internal relays)."""
        provider = self.provider
        return provider is not None and (provider.is_front_door(name) or provider.is_relay(name))

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
            provider = self.provider
            return bool(provider and not provider.writes_authserv_id) or not self.domains
        if not self.domains:
            return True
        suffixes = self.domains + self.mx_hosts
        suffixes += self.provider.authserv_ids if self.provider else ()
        return any(within(authserv_id, s) for s in suffixes)


def is_provider_namespace(domain: str) -> bool:
    """The domain holds a provider's own MX or relay names (outlook.com, google.com)."""
    return any(
        within(suffix, domain)
        for provider in shipped_providers()
        for suffix in provider.mx_suffixes + provider.hop_suffixes
    )


def infer_provider(top_by_host: str | None) -> Provider | None:
    """Without --org-domain, the filter that wrote the newest hop is taken as the org's."""
    if top_by_host is None:
        return None
    return next(
        (p for p in shipped_providers() if p.is_relay(top_by_host) or p.is_front_door(top_by_host)),
        None,
    )


def detect_provider(mx_hosts: tuple[str, ...]) -> Provider | None:
    """The filtering provider behind these MX hosts, if one is known."""
    return next((p for p in shipped_providers() if any(p.is_front_door(h) for h in mx_hosts)), None)


def within(name: str, suffix: str) -> bool:
    """``name`` equals ``suffix`` or is below it (case-insensitive)."""
    name, suffix = name.lower().rstrip("."), suffix.lower().rstrip(".")
    return name == suffix or name.endswith("." + suffix)


def org_domain_name(raw: str) -> str | None:
    """An ``--org-domain`` value IDNA-normalised, or None when it is not a mail domain. RFC
    6761 lab names (``receiver.test``, ``org.example``) are accepted: labs use them."""
    try:
        valid = validate_email(
            f"postmaster@{raw}", check_deliverability=False, test_environment=True
        )
    except EmailNotValidError:
        return None
    return valid.ascii_domain.lower()
