"""Test messages for the behaviour tests: genuine (DKIM-signed by snipsender.example's key and
received from its listed IP) and spoofed variants, as the receiving MX would hand them over."""

from __future__ import annotations

from dataclasses import dataclass

import dkim

from tests.snippets.paths import FORGER_KEY, SNIPSENDER_KEY

GENUINE_IP = "192.0.2.10"
SPOOF_IP = "198.51.100.20"  # not in the profile, not in SPF
MX_IP = "203.0.113.1"  # the receiving MX (trusted by the filter under test)


@dataclass(frozen=True)
class Delivery:
    """A message plus the SMTP facts the filter learns from the MTA."""

    name: str
    ip: str
    helo: str
    mail_from: str
    data: bytes


def _body(author: str) -> bytes:
    return (
        f"From: Snip Sender <{author}>\r\n"
        "To: user@sniprecv.example\r\n"
        "Subject: Your verification code\r\n"
        "Date: Sun, 22 Nov 2026 04:00:00 +0000\r\n"
        "Message-ID: <code-1@snipsender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "Your verification code is 123456. It expires in 10 minutes.\r\n"
    ).encode()


def _sign(message: bytes, key: bytes) -> bytes:
    headers = [b"from", b"to", b"subject", b"date", b"message-id"]
    return (
        dkim.sign(message, b"sel1", b"snipsender.example", key, include_headers=headers) + message
    )


def _received(ip: str, helo: str, mail_from: str) -> bytes:
    return (
        f"Return-Path: <{mail_from}>\r\n"
        f"Received: from {helo} ({helo} [{ip}])\r\n"
        f"\tby mx.sniprecv.example ([{MX_IP}]) with ESMTPS id 4ABC123\r\n"
        "\tfor <user@sniprecv.example>; Sun, 22 Nov 2026 04:00:01 +0000\r\n"
    ).encode()


def delivery(name: str) -> Delivery:
    """One of: genuine, spoofed, forged-signature, unsigned-from-listed-ip,
    listed-ip-unaligned (unsigned, bounce domain not the From domain), other-address."""
    key = SNIPSENDER_KEY.read_bytes()
    author, ip, helo = "no-reply@snipsender.example", GENUINE_IP, "mail.snipsender.example"
    mail_from = "bounce@snipsender.example"
    match name:
        case "genuine":
            message = _sign(_body(author), key)
        case "spoofed":
            ip, helo = SPOOF_IP, "mail.attacker.example"
            message = _body(author)
        case "forged-signature":
            ip, helo = SPOOF_IP, "mail.attacker.example"
            message = _sign(_body(author), FORGER_KEY.read_bytes())
        case "unsigned-from-listed-ip":
            message = _body(author)
        case "listed-ip-unaligned":  # another customer of a shared IP forging the From
            message, mail_from = _body(author), "bounce@other-customer.example"
        case "other-address":  # genuinely signed, but an address the profile does not list
            message = _sign(_body("billing@snipsender.example"), key)
        case _:
            raise ValueError(name)
    return Delivery(name, ip, helo, mail_from, _received(ip, helo, mail_from) + message)
