"""DANE for SMTP (RFC 7672, RFC 6698): parse TLSA records and match them to a certificate.

Only DANE-EE (3) can be checked against the server certificate alone; DANE-TA (2) needs the
chain the server sent, which stdlib ``ssl`` does not expose before Python 3.13. PKIX usages
(0, 1) are not for SMTP (RFC 7672 §3.1.3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

USAGE_NAMES = {0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE"}


@dataclass(frozen=True)
class Tlsa:
    """One TLSA record in the resolver's text form ``"u s m hex"``."""

    usage: int
    selector: int
    mtype: int
    data: str  # lower-case hex

    @classmethod
    def from_text(cls, text: str) -> Tlsa:
        """Parse ``"3 1 1 ab12..."``; ``ValueError`` naming the problem otherwise."""
        parts = text.split()
        if len(parts) < 4 or not all(p.isdigit() for p in parts[:3]):
            raise ValueError(f"not a TLSA record: {text[:80]!r}")
        data = "".join(parts[3:]).lower()
        usage, selector, mtype = (int(p) for p in parts[:3])
        if usage > 3 or selector > 1 or mtype > 2:
            raise ValueError(f"unknown usage/selector/matching type in {text[:40]!r}")
        expected = {1: 64, 2: 128}.get(mtype)
        if expected is not None and len(data) != expected:
            raise ValueError(f"digest length {len(data) // 2} does not fit matching type {mtype}")
        if not all(c in "0123456789abcdef" for c in data):
            raise ValueError("association data is not hex")
        return cls(usage, selector, mtype, data)

    def __str__(self) -> str:
        return f"{self.usage} {self.selector} {self.mtype} {self.data}"


def association(cert_der: bytes, selector: int, mtype: int) -> str:
    """The hex association data a TLSA record with this selector/type would hold."""
    if selector == 1:
        cert = x509.load_der_x509_certificate(cert_der)
        content = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    else:
        content = cert_der
    match mtype:
        case 1:
            return hashlib.sha256(content).hexdigest()
        case 2:
            return hashlib.sha512(content).hexdigest()
    return content.hex()


def matches_end_entity(records: tuple[Tlsa, ...], cert_der: bytes) -> bool | None:
    """Does a DANE-EE record match the server certificate? None when none can be checked."""
    usable = [r for r in records if r.usage == 3]
    if not usable:
        return None
    try:
        return any(association(cert_der, r.selector, r.mtype) == r.data for r in usable)
    except ValueError:  # the server sent something that does not parse as a certificate
        return False
