"""What a sender profile may list: strict network and address syntax, and which networks no
SaaS sender on the internet can own.

Kept apart from ``profiles`` (which reads the file) so the rules are one small, testable table:
a network is parsed from a narrow character set (no IPv6 scope id, no separators, no spaces),
classified against the special-purpose registries (RFC 6890 and its updates), and limited in
width; an exact address may not carry the wildcards ``*`` and ``?`` some filters expand.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Digits, hex letters, ':' '.' and one '/': everything an address in CIDR form needs. Anything
# else (IPv6 scope ids "%eth0", commas, spaces) would reach filter syntax if it were kept.
_NETWORK_SYNTAX = re.compile(r"^[0-9A-Fa-f:.]{2,45}(?:/[0-9]{1,3})?$")
MIN_PREFIX = {4: 16, 6: 32}  # wider than a /16 or a /32 is no vendor's documented source

_IPV4_REFUSED = (
    ("0.0.0.0/8", "'this network' / unspecified (RFC 1122)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space / CGNAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback (RFC 1122)"),
    ("169.254.0.0/16", "link-local (RFC 3927)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    ("240.0.0.0/4", "reserved (RFC 1112) or broadcast"),
)
_IPV6_REFUSED = (
    ("::/8", "unspecified, loopback, IPv4-mapped or reserved (RFC 4291)"),
    ("100::/64", "discard-only (RFC 6666)"),
    ("2001::/23", "IETF protocol assignments (RFC 2928)"),
    ("fc00::/7", "unique local (RFC 4193)"),
    ("fe80::/10", "link-local (RFC 4291)"),
    ("ff00::/8", "multicast (RFC 4291)"),
)
_DOCUMENTATION = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
)
_REFUSED = tuple((ipaddress.ip_network(n), why) for n, why in _IPV4_REFUSED + _IPV6_REFUSED)
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")


def parse_network(raw: str) -> Network:
    """A network from CIDR text with nothing but address syntax in it; ``ValueError`` otherwise.

    The result is rebuilt from integers, so its text form is ours, never the input's.
    """
    if not _NETWORK_SYNTAX.match(raw):
        raise ValueError(
            "only an IPv4/IPv6 address or network in CIDR form is allowed "
            "(no IPv6 scope id, spaces, commas or other characters)"
        )
    network = ipaddress.ip_network(raw, strict=True)
    return reserialised(network)


def reserialised(network: Network) -> Network:
    """The same network rebuilt from its integer value: no scope id or other input text."""
    if isinstance(network, ipaddress.IPv4Network):
        return ipaddress.IPv4Network((int(network.network_address), network.prefixlen))
    return ipaddress.IPv6Network((int(network.network_address), network.prefixlen))


def unsafe_reason(network: Network) -> str | None:
    """Why no SaaS sender can own ``network`` (special-purpose or too wide), or None."""
    special = [(r, why) for r, why in _REFUSED if r.version == network.version]
    # Inside one special range: name it. Wider than allowed: say so. Then any overlap at all.
    for refused, why in special:
        if network.subnet_of(refused):  # type: ignore[arg-type]
            return f"{why}: no sender on the internet sends from {refused}"
    minimum = MIN_PREFIX[network.version]
    if network.prefixlen < minimum:
        return f"wider than /{minimum}: no sender documents a range that large"
    for refused, why in special:
        if refused.overlaps(network):
            return f"overlaps {refused}, {why}: no sender on the internet sends from it"
    if network.version == 6 and not network.subnet_of(_GLOBAL_UNICAST_V6):
        return "outside IPv6 global unicast (2000::/3): reserved"
    return None


def is_documentation(network: Network) -> bool:
    """True inside a documentation range (RFC 5737, RFC 3849, RFC 9637): labs and tests only."""
    return any(
        doc.version == network.version and network.subnet_of(doc)  # type: ignore[arg-type]
        for doc in _DOCUMENTATION
    )


def wildcard_problem(local_part: str) -> str | None:
    """Why an exact address's local part is refused for its wildcards, or None."""
    if "*" in local_part or "?" in local_part:
        return (
            "'*' and '?' are wildcards in several filters: list an exact address, "
            "or '*@domain' for any address at a domain"
        )
    return None


def overlapping_pairs(networks: Sequence[Network]) -> Iterable[tuple[int, int]]:
    """Index pairs ``(earlier, later)`` of networks that overlap, found by sort and sweep.

    CIDR blocks either nest or are disjoint, so after sorting by (version, first address,
    widest first) a block overlaps another exactly when it lies inside an open block on the
    sweep's stack: O(n log n) plus the pairs reported.
    """

    def key(i: int) -> tuple[int, int, int]:
        return (networks[i].version, int(networks[i].network_address), networks[i].prefixlen)

    order = sorted(range(len(networks)), key=key)
    stack: list[int] = []  # indexes of blocks that contain the current position, nested
    for index in order:
        current = networks[index]
        while stack and not _contains(networks[stack[-1]], current):
            stack.pop()
        for outer in stack:
            yield (min(outer, index), max(outer, index))
        stack.append(index)


def _contains(outer: Network, inner: Network) -> bool:
    return outer.version == inner.version and int(inner.broadcast_address) <= int(
        outer.broadcast_address
    )


_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def is_ipv4_mapped(network: Network) -> bool:
    """Inside ::ffff:0:0/96, where an IPv6 form stands for an IPv4 address."""
    return isinstance(network, ipaddress.IPv6Network) and network.subnet_of(_MAPPED)


def unmap_network(network: Network) -> Network:
    """An IPv4-mapped IPv6 network (``::ffff:192.0.2.1``) as the IPv4 network it stands for.

    Receivers see such a client as IPv4 (RFC 7208 §5, RFC 4291 §2.5.5.2), so a mapped form
    would never match in a filter. A network wider than the mapped /96 is refused.
    """
    if not isinstance(network, ipaddress.IPv6Network) or not network.overlaps(_MAPPED):
        return network
    if network.prefixlen < _MAPPED.prefixlen:
        raise ValueError("covers IPv4-mapped and other IPv6 space: list IPv4 and IPv6 separately")
    first = network.network_address.ipv4_mapped
    assert first is not None  # inside ::ffff:0:0/96
    return ipaddress.IPv4Network(f"{first}/{network.prefixlen - 96}")
