"""``send-test``: send a test message to an SMTP server, keep the transcript, classify the outcome.

smtplib does the protocol (in a worker thread, every socket operation under a timeout); a
subclass records each line both ways. ``wait_in_sink`` then watches a sink's Maildir for the
token to measure the end-to-end delay through a real relay.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from mailcheck.base.errors import SmtpError
from mailcheck.smtp.message import TOKEN_HEADER, TestMessage

MAX_HEADER_SCAN = 64 * 1024  # the token header sits in the first few KiB of a message


class Outcome(StrEnum):
    """How the attempt ended."""

    ACCEPTED = "accepted"
    TEMPFAIL = "temporary-failure"
    REJECTED = "rejected"
    TLS_UNAVAILABLE = "tls-unavailable"
    AUTH_REQUIRED = "auth-required"
    CONNECTION_FAILED = "connection-failed"


@dataclass
class SendResult:
    """What happened: outcome, the last reply, the stage it came at, and the transcript."""

    outcome: Outcome = Outcome.CONNECTION_FAILED
    stage: str = "connect"
    reply: str = ""
    tls: str = ""
    transcript: list[str] = field(default_factory=list)
    sent_at: float = 0.0


@dataclass(frozen=True)
class SendOptions:
    """Where and how to send."""

    host: str
    port: int = 25
    helo: str = "mailcheck.localhost"
    require_tls: bool = False
    verify_tls: bool = False  # test relays mostly have self-signed certificates
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


class _Recording(smtplib.SMTP):
    """smtplib with a transcript (message bodies are summarised, not copied)."""

    def __init__(self, transcript: list[str], **kwargs: object) -> None:
        self.transcript = transcript
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def send(self, s: Any) -> None:  # noqa: D102
        raw = bytes(s) if not isinstance(s, str) else s.encode("utf-8", "replace")
        if raw.count(b"\r\n") > 1:
            self.transcript.append(f"C: <message, {len(raw)} octets>")
        else:
            self.transcript.append("C: " + _redact(raw.decode("utf-8", "replace").rstrip()))
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:  # noqa: D102
        code, text = super().getreply()
        for line in text.decode("utf-8", "replace").splitlines() or [""]:
            self.transcript.append(f"S: {code} {line}")
        return code, text


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _redact(line: str) -> str:
    return "AUTH <credentials hidden>" if line.upper().startswith("AUTH") else line


def send_message(message: TestMessage, options: SendOptions) -> SendResult:
    """Send (blocking; run it in a thread); never raises for SMTP-level outcomes."""
    result = SendResult()
    try:
        with _Recording(
            result.transcript, host=options.host, port=options.port, timeout=options.timeout
        ) as smtp:
            _dialogue(smtp, message, options, result)
    except smtplib.SMTPConnectError as exc:
        result.reply = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        result.outcome = _classify(exc.smtp_code, "connect")
    except smtplib.SMTPResponseException as exc:
        result.reply = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        result.outcome = _classify(exc.smtp_code, result.stage)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        result.stage, result.reply = "rcpt", f"{code} {text.decode('utf-8', 'replace')}"
        result.outcome = _classify(code, "rcpt")
    except (OSError, smtplib.SMTPException) as exc:
        result.reply = f"{type(exc).__name__}: {exc}"
        if result.outcome is not Outcome.TLS_UNAVAILABLE:
            result.outcome = Outcome.CONNECTION_FAILED
    return result


def _dialogue(
    smtp: _Recording, message: TestMessage, options: SendOptions, result: SendResult
) -> None:
    result.stage = "ehlo"
    smtp.ehlo(options.helo)
    if smtp.has_extn("starttls"):
        result.stage = "starttls"
        context = ssl.create_default_context()
        if not options.verify_tls:
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        smtp.starttls(context=context)
        smtp.ehlo(options.helo)
        sock = smtp.sock
        if isinstance(sock, ssl.SSLSocket):
            result.tls = f"{sock.version()} {(sock.cipher() or ('',))[0]}"
    elif options.require_tls:
        result.outcome, result.reply = Outcome.TLS_UNAVAILABLE, "server does not offer STARTTLS"
        return
    if options.username is not None and smtp.has_extn("auth"):
        result.stage = "auth"
        smtp.login(options.username, options.password or "")
    result.stage = "mail"
    options_list = ["SMTPUTF8"] if not (message.sender + message.recipient).isascii() else []
    result.sent_at = time.time()
    smtp.sendmail(message.sender, [message.recipient], message.data, mail_options=options_list)
    result.stage, result.outcome = "data", Outcome.ACCEPTED
    result.reply = result.transcript[-1][3:] if result.transcript else "250"


def _classify(code: int, stage: str) -> Outcome:
    if code == 530 or (stage == "auth" and code in (535, 534, 538)):
        return Outcome.AUTH_REQUIRED
    if 400 <= code < 500:
        return Outcome.TEMPFAIL
    return Outcome.REJECTED


async def wait_in_sink(maildir: Path, token: str, timeout: float, poll: float = 0.1) -> float:
    """When (epoch seconds) a message carrying ``token`` was stored; ``SmtpError`` on timeout."""
    needle = f"{TOKEN_HEADER}: {token}".encode()
    seen: set[str] = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        found = await asyncio.to_thread(_scan, maildir, needle, seen)
        if found is not None:
            return found
        await asyncio.sleep(poll)
    raise SmtpError(f"token {token} did not arrive in {maildir} within {timeout:g} s")


def _scan(maildir: Path, needle: bytes, seen: set[str]) -> float | None:
    for folder in (maildir / "new", maildir / "cur"):
        try:
            names = [p for p in folder.iterdir() if p.name not in seen]
        except FileNotFoundError:
            continue
        for path in names:
            seen.add(path.name)
            try:
                with path.open("rb") as file:
                    head = file.read(MAX_HEADER_SCAN)
                if needle in head:
                    return path.stat().st_mtime
            except FileNotFoundError:
                continue
    return None
