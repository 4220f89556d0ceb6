"""A realistic test message for a profile sender: what a verification-code mail looks like.

It carries a unique token (header ``X-Mailcheck-Token`` and inside the Message-ID) so a sink
can find it again, and may be DKIM-signed with a key the admin provides (dkimpy).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import formatdate
from pathlib import Path

import dkim

from mailcheck.base.errors import InputError

TOKEN_HEADER = "X-Mailcheck-Token"
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"reply-to")


@dataclass(frozen=True)
class DkimKey:
    """A signing key the admin gives: domain, selector, PEM private key."""

    domain: str
    selector: str
    private_key: bytes

    @classmethod
    def load(cls, domain: str, selector: str, path: Path) -> DkimKey:
        """Read the PEM key file."""
        try:
            return cls(domain.lower(), selector.lower(), path.read_bytes())
        except OSError as exc:
            raise InputError(
                "dkim_key", f"{path}: cannot read the DKIM key: {exc.strerror}"
            ) from exc


@dataclass(frozen=True)
class TestMessage:
    """The built message and its token."""

    token: str
    data: bytes
    sender: str
    recipient: str


def new_token() -> str:
    """A token nobody can guess or collide with."""
    return secrets.token_hex(16)


def build_message(
    sender: str,
    recipient: str,
    *,
    sender_name: str = "Identity Service",
    reply_to: str | None = None,
    token: str | None = None,
    when: float | None = None,
    dkim_key: DkimKey | None = None,
) -> TestMessage:
    """A verification-code style message from ``sender`` to ``recipient``."""
    token = token or new_token()
    code = f"{secrets.randbelow(10**6):06d}"
    msg = EmailMessage(policy=SMTPUTF8 if not (sender + recipient).isascii() else SMTP)
    msg["From"] = f"{sender_name} <{sender}>"
    msg["To"] = recipient
    msg["Reply-To"] = reply_to or sender
    msg["Subject"] = f"Your verification code is {code}"
    msg["Date"] = formatdate(when if when is not None else time.time(), localtime=False)
    msg["Message-ID"] = f"<{token}.mailcheck@{sender.rpartition('@')[2]}>"
    msg[TOKEN_HEADER] = token
    msg.set_content(
        f"Hello,\n\nUse this code to verify your email address: {code}\n\n"
        "The code expires in 10 minutes. If you did not ask for it, ignore this message.\n\n"
        f"(mailcheck delivery test, token {token})\n"
    )
    data = msg.as_bytes()
    if dkim_key is not None:
        data = sign(data, dkim_key)
    return TestMessage(token, data, sender, recipient)


def sign(data: bytes, key: DkimKey) -> bytes:
    """Prepend a DKIM-Signature (rsa-sha256 or ed25519 as the key says, relaxed/relaxed)."""
    try:
        header = dkim.sign(
            data,
            key.selector.encode(),
            key.domain.encode(),
            key.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(SIGNED_HEADERS),
        )
    except dkim.DKIMException as exc:
        raise InputError("dkim_key", f"cannot DKIM-sign with the given key: {exc}") from exc
    return bytes(header) + data


__all__ = ["TOKEN_HEADER", "DkimKey", "TestMessage", "build_message", "sign"]
