"""The isolated Postfix helper itself: it starts, applies its policy, and cleans up."""

from __future__ import annotations

import smtplib

from tests.postfix import PostfixConfig

SENDER = "no-reply@account.trimble.com"


def _rcpt(instance, sender, recipient):
    with smtplib.SMTP(instance.host, instance.port, timeout=10) as client:
        client.ehlo("probe.test")
        mail = client.mail(sender)
        rcpt = client.rcpt(recipient)
        client.rset()
        return mail, rcpt


def test_postfix_accepts_known_recipient_and_rejects_unknown(postfix_factory):
    instance = postfix_factory(PostfixConfig())
    assert _rcpt(instance, SENDER, "user@company.example")[1][0] == 250
    code, text = _rcpt(instance, SENDER, "nobody@company.example")[1]
    assert (code, text[:5]) == (550, b"5.1.1")


def test_postfix_never_relays_by_default(postfix_factory):
    instance = postfix_factory(PostfixConfig())
    code, text = _rcpt(instance, SENDER, "user@elsewhere.example")[1]
    assert code == 554 and b"Relay access denied" in text


def test_postfix_sender_access_rejects_and_greylists(postfix_factory):
    config = PostfixConfig(
        sender_access={
            SENDER: "550 5.7.1 Sender blocked by policy",
            "greylist.example": "450 4.7.1 Greylisted, try again later",
        }
    )
    instance = postfix_factory(config)
    code, text = _rcpt(instance, SENDER, "user@company.example")[1]
    assert (code, text[:5]) == (550, b"5.7.1")
    code, text = _rcpt(instance, "a@greylist.example", "user@company.example")[1]
    assert (code, text[:5]) == (450, b"4.7.1")


def test_postfix_stop_removes_everything(postfix_factory):
    instance = postfix_factory(PostfixConfig())
    pid = instance.master_pid()
    assert pid is not None
    instance.stop()
    assert not instance.root.exists()
    try:
        smtplib.SMTP(instance.host, instance.port, timeout=2).close()
    except OSError:
        pass
    else:
        raise AssertionError("Postfix still listening after stop()")
