"""``mailcheck send-test``: one verification message to a server, then (optionally) its
arrival in a sink's Maildir, each its own step so the transcript can be shown in between."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from mailcheck.app.profiles import ProfileChoice, choose_profile
from mailcheck.base.errors import InputError
from mailcheck.smtp.message import DkimKey, TestMessage, build_message
from mailcheck.smtp.sendtest import SendOptions, SendResult, send_message, wait_in_sink


@dataclass(frozen=True)
class DkimSigning:
    """Sign with the PEM key at ``key_path`` as ``selector._domainkey.domain``."""

    domain: str
    selector: str
    key_path: Path


@dataclass(frozen=True)
class SendTestRequest:
    """Who sends to whom, how to reach the server, and whether to DKIM-sign."""

    sender: str
    recipient: str
    options: SendOptions
    dkim: DkimSigning | None = None


@dataclass(frozen=True)
class SendTestResult:
    """The message sent (its token finds it again) and what the server said."""

    message: TestMessage
    result: SendResult


def profile_sender(choice: ProfileChoice) -> str:
    """The chosen profile's first exact sender address: a ``*@domain`` entry cannot send."""
    profile = choose_profile(choice)
    exact = [s.address for s in profile.senders if not s.is_wildcard]
    if not exact:
        raise InputError("sender", f"profile {profile.id} lists no exact sender address")
    return exact[0]


def send_verification(request: SendTestRequest) -> SendTestResult:
    """Build the verification message (signed when asked) and send it."""
    key = None
    if request.dkim is not None:
        signing = request.dkim
        key = DkimKey.load(signing.domain, signing.selector, signing.key_path)
    message = build_message(request.sender, request.recipient, dkim_key=key)
    return SendTestResult(message, send_message(message, request.options))


def wait_for_arrival(maildir: Path, token: str, timeout: float) -> float:
    """When the message with ``token`` arrived in the sink at ``maildir`` (monotonic clock)."""
    return asyncio.run(wait_in_sink(maildir, token, timeout))
