"""DNS for mailcheck: one async ``Resolver`` interface, live and snapshot implementations."""

from __future__ import annotations

from mailcheck.dns.interface import Answer, MxRecord, Outcome, Resolver, RRType, normalize_name

__all__ = ["Answer", "MxRecord", "Outcome", "RRType", "Resolver", "normalize_name"]
