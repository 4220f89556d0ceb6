"""TLS for the sink: the admin's certificate, or a throw-away self-signed one for this run."""

from __future__ import annotations

import datetime
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mailcheck.base.errors import SmtpError


def server_context(cert: Path | None, key: Path | None, hostname: str) -> ssl.SSLContext:
    """A server-side context from the given files, or from a fresh self-signed certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # Senders rarely present client certificates; asking would only break delivery tests.
    context.verify_mode = ssl.CERT_NONE
    files = f"{cert} and {key}" if key is not None else str(cert or "a self-signed certificate")
    try:
        if cert is not None:
            context.load_cert_chain(cert, key)
        else:
            _load_self_signed(context, hostname)
    except ssl.SSLError as exc:
        # OpenSSL's own words ("[SSL] PEM lib") name neither the file nor the likely cause.
        raise SmtpError(
            f"cannot load the TLS certificate from {files}: not a PEM certificate chain with its "
            f"matching private key (OpenSSL: {exc.reason or exc})"
        ) from exc
    except OSError as exc:
        raise SmtpError(
            f"cannot load the TLS certificate from {files}: {exc.strerror or exc}"
        ) from exc
    return context


def _load_self_signed(context: ssl.SSLContext, hostname: str) -> None:
    cert_pem, key_pem = self_signed(hostname)
    # ssl can only load certificates from files; the folder lives for a moment, mode 0700.
    with tempfile.TemporaryDirectory(prefix="mailcheck-tls-") as folder:
        cert_file, key_file = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        cert_file.write_bytes(cert_pem)
        key_file.touch(mode=0o600)
        key_file.write_bytes(key_pem)
        context.load_cert_chain(cert_file, key_file)


def self_signed(hostname: str, days: int = 7) -> tuple[bytes, bytes]:
    """A P-256 key and a self-signed certificate for ``hostname`` (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname[:64] or "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname or "localhost")]), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
