"""Internationalised domain names shown in both forms: the U-label a person reads and the
A-label (``xn--``) DNS and the filters use (RFC 5890 §2.3.2.1)."""

from __future__ import annotations


def u_label_domain(domain: str) -> str:
    """``domain`` with every ``xn--`` label decoded; labels that do not decode stay as they are."""
    return ".".join(_decode(label) for label in domain.split("."))


def _decode(label: str) -> str:
    if not label.lower().startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label  # hostile or broken: show what DNS has, never guess


def display_domain(domain: str) -> str:
    """``bücher.example (xn--bcher-kva.example)`` for an IDN, else the domain unchanged."""
    shown = u_label_domain(domain)
    return domain if shown == domain else f"{shown} ({domain})"


def display_address(address: str) -> str:
    """``alerts@bücher.example (alerts@xn--bcher-kva.example)`` for an IDN domain."""
    local, at, domain = address.rpartition("@")
    if not at:
        return display_domain(address)
    shown = u_label_domain(domain)
    return address if shown == domain else f"{local}@{shown} ({address})"
