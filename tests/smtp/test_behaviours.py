"""Behaviours: strict validation, and each action against a real sink session."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from mailcheck.app import rulebook
from mailcheck.base.errors import ProfileError
from mailcheck.smtp.behaviours import Action, Facts, Stage, decide, load_behaviours
from mailcheck.smtp.greylist import Greylist

from .helpers import RawClient, dot_stuff, indexed

HEAD = 'kind = "sink-behaviours"\nformat_version = 1\n'


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "behaviours.toml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def _load(tmp_path: Path, body: str):
    return load_behaviours(_write(tmp_path, body))


def test_the_documented_example_loads(tmp_path):
    readme = (Path(__file__).parents[2] / "rules" / "README.md").read_text()
    section = readme.split("## Sink behaviours", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (path := tmp_path / "example.toml").write_text(example)
    greylist, block = load_behaviours(path)
    assert greylist.action is Action.GREYLIST and greylist.ipv4_prefix == 24
    assert block.reply() == "550 5.7.1 Sender not allowed"


def test_valid_file_loads_and_rulebook_knows_the_kind(tmp_path):
    rules = _load(
        tmp_path,
        """
[[behaviour]]
name = "no gmail"
stage = "rcpt"
action = "reject"
code = 550
status = "5.7.1"
text = "Gmail recipients refused"
match = { rcpt_to = ["*@gmail.com"], client_ip = ["54.240.27.0/24", "2001:db8::/32"] }
""",
    )
    assert rules[0].action is Action.REJECT
    assert rules[0].reply() == "550 5.7.1 Gmail recipients refused"
    assert rulebook.validate_paths([tmp_path / "behaviours.toml"])[0][1] is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('name = "x"\nstage = "mail"\naction = "reject"\ncode = 550\nstatus = "4.7.1"', "status"),
        ('name = "x"\nstage = "mail"\naction = "reject"\ncode = 250\nstatus = "2.0.0"', "code"),
        ('name = "x"\nstage = "mail"\naction = "greylist"\nseconds = 60', "stage"),
        ('name = "x"\nstage = "rcpt"\naction = "greylist"', "seconds: required"),
        ('name = "x"\nstage = "mail"\naction = "delay"\nseconds = 99999', "seconds"),
        ('name = "x"\nstage = "mail"\naction = "explode"', "action"),
        ('name = "x"\nstage = "later"\naction = "accept"', "stage"),
        ('name = "x"\nstage = "helo"\naction = "accept"\nmatch = { rcpt_to = ["*"] }', "rcpt_to"),
        ('name = "x"\nstage = "mail"\naction = "accept"\nmatch = { client_ip = ["1.2"] }', "1.2"),
        ('name = "x"\nstage = "mail"\naction = "accept"\nmatch = { sender = ["*"] }', "sender"),
        ('name = "x"\nstage = "mail"\naction = "accept"\ncolour = "red"', "colour"),
        ('name = "x"\nstage = "mail"\naction = "accept"\nipv4_prefix = 24', "ipv4_prefix"),
        (
            'name = "x"\nstage = "rcpt"\naction = "greylist"\nseconds = 9\nipv4_prefix = 33',
            "8 to 32",
        ),
        ('name = "x"\nstage = "rcpt"\naction = "greylist"\nseconds = 9\nipv6_prefix = 8', "16 to"),
        (
            'name = "x"\nstage = "rcpt"\naction = "greylist"\nseconds = 9\nipv4_prefix = "24"',
            "integer",
        ),
    ],
)
def test_invalid_files_name_the_problem(tmp_path, body, problem):
    with pytest.raises(ProfileError) as excinfo:
        _load(tmp_path, "[[behaviour]]\n" + body + "\n")
    assert problem in str(excinfo.value)
    assert "behaviour[0]" in str(excinfo.value)


def test_decide_first_match_wins_and_respects_stage(tmp_path):
    rules = _load(
        tmp_path,
        """
[[behaviour]]
name = "allow our relay"
stage = "mail"
action = "accept"
match = { client_ip = ["192.0.2.1"] }
[[behaviour]]
name = "refuse the rest of example.com"
stage = "mail"
action = "reject"
code = 450
status = "4.7.1"
match = { mail_from = ["*@EXAMPLE.com"] }
""",
    )
    assert decide(rules, Stage.MAIL, Facts("192.0.2.1", "h", "a@example.com")) is rules[0]
    assert decide(rules, Stage.MAIL, Facts("192.0.2.2", "h", "A@Example.COM")) is rules[1]
    assert decide(rules, Stage.MAIL, Facts("192.0.2.2", "h", "a@example.org")) is None
    assert decide(rules, Stage.RCPT, Facts("192.0.2.2", "h", "a@example.com")) is None


def test_greylist_state_is_bounded():
    grey = Greylist(max_triplets=2)
    assert not grey.passes(("ip", "a", "b"), 10, 0.0)
    assert not grey.passes(("ip", "a", "b"), 10, 5.0)
    assert grey.passes(("ip", "a", "b"), 10, 10.0)
    grey.passes(("ip", "a", "c"), 10, 11.0)
    grey.passes(("ip", "a", "d"), 10, 12.0)
    assert not grey.passes(("ip", "a", "b"), 10, 100.0)  # forgotten, starts over


async def _dialogue(port: int, rcpt: str = "b@example.net") -> list[str]:
    client = await RawClient.connect(port, greeting=False)
    replies = [await client.reply()]
    try:
        for line in ("EHLO client.test", "MAIL FROM:<a@example.com>", f"RCPT TO:<{rcpt}>"):
            replies.append(await client.cmd(line))
            if not replies[-1].startswith("250"):
                return replies
        replies.append(await client.cmd("DATA"))
        await client.send(dot_stuff(b"Subject: x\r\n\r\nhi\r\n"))
        replies.append(await client.reply())
    except ConnectionError as exc:
        replies.append(f"closed: {exc}")
    finally:
        await client.close()
    return replies


async def test_reject_at_rcpt(make_sink, tmp_path):
    rules = _load(
        tmp_path,
        '[[behaviour]]\nname = "r"\nstage = "rcpt"\naction = "reject"\ncode = 550\n'
        'status = "5.1.1"\ntext = "No such user"\nmatch = { rcpt_to = ["nobody@*"] }\n',
    )
    sink = await make_sink(behaviours=rules)
    assert (await _dialogue(sink.port, "nobody@example.net"))[-1] == "550 5.1.1 No such user"
    assert (await _dialogue(sink.port))[-1].startswith("250 2.0.0")
    assert len(indexed(sink.maildir.path)) == 1


async def test_greylist_tempfails_first_then_accepts(make_sink, tmp_path):
    rules = _load(
        tmp_path, '[[behaviour]]\nname = "g"\nstage = "rcpt"\naction = "greylist"\nseconds = 1\n'
    )
    sink = await make_sink(behaviours=rules)
    assert (await _dialogue(sink.port))[-1].startswith("450 4.7.1")
    assert (await _dialogue(sink.port))[-1].startswith("450 4.7.1")  # too early
    await asyncio.sleep(1.05)
    assert (await _dialogue(sink.port))[-1].startswith("250 2.0.0")
    assert (await _dialogue(sink.port, "other@example.net"))[-1].startswith("450")


def test_greylist_client_key_is_cut_to_the_prefix(tmp_path):
    (rule,) = _load(
        tmp_path,
        '[[behaviour]]\nname = "g"\nstage = "rcpt"\naction = "greylist"\nseconds = 60\n'
        "ipv4_prefix = 24\nipv6_prefix = 64\n",
    )
    assert rule.client_key("54.240.27.30") == "54.240.27.0/24"
    assert rule.client_key("2001:db8:1:2:3::4") == "2001:db8:1:2::/64"
    exact = _load(
        tmp_path, '[[behaviour]]\nname = "g"\nstage = "rcpt"\naction = "greylist"\nseconds = 6\n'
    )[0]
    assert exact.client_key("54.240.27.30") == "54.240.27.30/32"


async def _dialogue_from(port: int, client_ip: str) -> str:
    """A whole dialogue presenting ``client_ip`` by PROXY; the first refusal or the last reply."""
    client = await RawClient.connect(port, greeting=False)
    try:
        await client.send(f"PROXY TCP4 {client_ip} 127.0.0.1 40000 25\r\n".encode())
        reply = await client.reply()
        for line in (
            "EHLO c.test",
            "MAIL FROM:<no-reply@account.trimble.com>",
            "RCPT TO:<it@x.net>",
        ):
            if not reply.startswith("2"):
                return reply
            reply = await client.cmd(line)
        if not reply.startswith("2") or not (await client.cmd("DATA")).startswith("354"):
            return reply
        await client.send(dot_stuff(b"Subject: x\r\n\r\nhi\r\n"))
        return await client.reply()
    finally:
        await client.close()


@pytest.mark.parametrize(("prefix", "retry_passes"), [("", False), ("ipv4_prefix = 24\n", True)])
async def test_greylist_retry_from_another_host_of_the_pool(
    make_sink, tmp_path, prefix, retry_passes
):
    """Amazon SES retries from another address of its pool (54.240.27.30, then .31): only a
    greylist keyed on the /24, as postgrey's by default, lets that retry through."""
    rules = _load(
        tmp_path,
        '[[behaviour]]\nname = "g"\nstage = "rcpt"\naction = "greylist"\nseconds = 1\n' + prefix,
    )
    sink = await make_sink(behaviours=rules, proxy_protocol=True)
    assert (await _dialogue_from(sink.port, "54.240.27.30")).startswith("450 4.7.1")
    await asyncio.sleep(1.05)
    reply = await _dialogue_from(sink.port, "54.240.27.31")
    assert reply.startswith("250 2.0.0" if retry_passes else "450 4.7.1"), reply


async def test_delay_a_stage(make_sink, tmp_path):
    rules = _load(
        tmp_path, '[[behaviour]]\nname = "d"\nstage = "data"\naction = "delay"\nseconds = 1\n'
    )
    sink = await make_sink(behaviours=rules)
    started = time.monotonic()
    replies = await _dialogue(sink.port)
    assert replies[-1].startswith("250 2.0.0")
    assert time.monotonic() - started >= 1.0


async def test_a_delay_longer_than_the_idle_timeout_keeps_the_session(make_sink, tmp_path):
    """The hook waits on purpose, so the idle timer is held meanwhile (``hold_timeout``)."""
    rules = _load(
        tmp_path, '[[behaviour]]\nname = "d"\nstage = "mail"\naction = "delay"\nseconds = 1\n'
    )
    sink = await make_sink(behaviours=rules, command_timeout=0.3)
    replies = await _dialogue(sink.port)
    assert replies[-1].startswith("250 2.0.0"), replies


async def test_reject_after_data_stores_nothing(make_sink, tmp_path):
    rules = _load(
        tmp_path,
        '[[behaviour]]\nname = "c"\nstage = "data"\naction = "reject"\ncode = 554\n'
        'status = "5.7.1"\ntext = "Content refused"\n',
    )
    sink = await make_sink(behaviours=rules)
    assert (await _dialogue(sink.port))[-1] == "554 5.7.1 Content refused"
    assert indexed(sink.maildir.path) == []
    assert list((sink.maildir.path / "new").iterdir()) == []
    assert list((sink.maildir.path / "tmp").iterdir()) == []


@pytest.mark.parametrize("stage", ["connect", "helo", "mail"])
async def test_disconnect_at_stage(make_sink, tmp_path, stage):
    rules = _load(
        tmp_path,
        f'[[behaviour]]\nname = "x"\nstage = "{stage}"\naction = "disconnect"\n'
        'match = { client_ip = ["127.0.0.1"] }\n',
    )
    sink = await make_sink(behaviours=rules)
    replies = await _dialogue(sink.port)
    assert any(r.startswith("421 4.7.0") for r in replies), replies
    assert replies[-1].startswith("closed") or replies[-1].startswith("421")
    assert indexed(sink.maildir.path) == []


async def test_reject_at_connect_with_proxy_uses_the_given_ip(make_sink, tmp_path):
    rules = _load(
        tmp_path,
        '[[behaviour]]\nname = "ses"\nstage = "connect"\naction = "reject"\ncode = 554\n'
        'status = "5.7.1"\nmatch = { client_ip = ["54.240.27.0/24"] }\n',
    )
    sink = await make_sink(behaviours=rules, proxy_protocol=True)
    client = await RawClient.connect(sink.port, greeting=False)
    await client.send(b"PROXY TCP4 54.240.27.30 127.0.0.1 40000 25\r\n")
    assert (await client.reply()).startswith("554 5.7.1")
    assert await asyncio.wait_for(client.reader.read(), 5) == b""
    await client.close()
