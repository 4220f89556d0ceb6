"""Test PKI: a throw-away CA and certificates for loopback TLS servers (HTTPS, STARTTLS)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class CertFiles:
    """PEM files of one certificate: ``cert`` (leaf, then issuer), ``key``, and its DER."""

    cert: Path
    key: Path
    der: bytes


@dataclass(frozen=True)
class TestCa:
    """A CA that signs leaf certificates; ``ca_file`` is what a client trusts."""

    ca_file: Path
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    folder: Path

    def issue(self, *names: str, stem: str = "leaf") -> CertFiles:
        """A server certificate for ``names`` (DNS SANs), signed by this CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        # Python 3.13's strict verification wants key identifiers and critical constraints.
        ski = self.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        cert = (
            _builder(names[0], key, self.cert.subject)
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return _write(self.folder, stem, cert, key, self.cert)


def make_ca(folder: Path) -> TestCa:
    """A fresh CA in ``folder`` (``ca.pem``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mailcheck test CA")])
    cert = (
        _builder("mailcheck test CA", key, name)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return TestCa(ca_file, key, cert, folder)


def self_signed(folder: Path, name: str, stem: str = "self") -> CertFiles:
    """A self-signed server certificate: no client will verify it."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(name, key, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _write(folder, stem, cert, key, None)


def _builder(common_name: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name):
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
    )


def _write(folder, stem, cert, key, issuer) -> CertFiles:
    pem = cert.public_bytes(serialization.Encoding.PEM)
    if issuer is not None:
        pem += issuer.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}.key"
    cert_path.write_bytes(pem)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o644)  # Postfix reads it as root, but keep it readable for the tests
    return CertFiles(cert_path, key_path, cert.public_bytes(serialization.Encoding.DER))
