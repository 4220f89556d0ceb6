"""Hostile Maildirs and arguments for the sink (issue 15 item 7): huge ids and limits, a
directory in ``tmp/``, a FIFO in ``new/``; and client bytes never reach the terminal raw."""

from __future__ import annotations

import asyncio
import os
import smtplib

import pytest

from mailcheck.cli import main
from mailcheck.message.received import parse_received
from mailcheck.smtp.server import start_sink
from mailcheck.smtp.sink import SinkConfig
from mailcheck.smtp.store import Envelope, trace_headers
from tests.smtp.subprocess_sink import SinkProcess

HUGE = "99999999999999999999"


async def _maildir_with_one_message(make_sink) -> SinkConfig:
    sink = await make_sink()

    def send() -> None:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
            client.sendmail("a@example.com", ["b@example.net"], b"Subject: x\r\n\r\nhi\r\n")

    await asyncio.to_thread(send)  # the sink runs on this test's event loop
    await sink.close()
    return SinkConfig(maildir=sink.maildir.path, port=0, hostname="sink.test")


@pytest.mark.parametrize(
    "argv",
    [["show", HUGE], ["show", "-1"], ["list", "--limit", HUGE], ["report", "--limit", HUGE]],
)
async def test_huge_ids_and_limits_are_usage_errors(make_sink, capsys, argv):
    config = await _maildir_with_one_message(make_sink)
    action, *rest = argv
    assert main(["sink", action, "--maildir", str(config.maildir), *rest]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "OverflowError" not in err


async def test_directory_in_tmp_and_fifo_in_new_are_skipped_and_reported(make_sink):
    config = await _maildir_with_one_message(make_sink)
    (config.maildir / "tmp" / "a-directory").mkdir()
    os.mkfifo(config.maildir / "new" / "a-fifo")
    sink = await start_sink(config)
    try:
        assert sorted(sink.reconciled.skipped) == ["new/a-fifo", "tmp/a-directory"]
        assert sink.reconciled.damaged == []
    finally:
        await sink.close()
    assert main(["sink", "list", "--maildir", str(config.maildir)]) == 0


async def test_the_sink_process_starts_and_stops_with_a_fifo_in_new(make_sink):
    config = await _maildir_with_one_message(make_sink)
    os.mkfifo(config.maildir / "new" / "a-fifo")
    sink = SinkProcess(config.maildir).start(timeout=20)
    expected = "not regular files, skipped: 1: new/a-fifo"
    assert any(expected in line for line in sink.startup), sink.startup
    code, _output = sink.interrupt()
    assert code == 0


def test_client_bytes_in_the_log_are_escaped(tmp_path):
    sink = SinkProcess(tmp_path / "Maildir").start()
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
        client.putcmd("X\x1b]0;TITLE\x07\x1b[2J")
        assert client.getreply()[0] == 500
    code, output = sink.interrupt()
    assert code == 0
    assert "\x1b" not in output and "\x07" not in output
    assert "\\x1b]0;TITLE\\x07" in output  # still there to read, escaped


@pytest.mark.parametrize(
    ("helo", "word"),
    [
        ("evil ([54.240.27.30])", "evil???54.240.27.30??"),
        ("[54.240.27.30]", "[54.240.27.30]"),
        ("x [54.240.27.30]", "x??54.240.27.30?"),
        ("", "unknown"),
    ],
)
def test_our_received_field_never_lets_helo_name_the_client(helo, word):
    envelope = Envelope("a@example.com", ("b@example.net",), "192.0.2.7", 1, helo, "", 0.0)
    field = trace_headers(envelope, "sink.test", "key").decode().split("Received: ", 1)[1]
    assert field.startswith(f"from {word} (unknown [192.0.2.7])")
    assert parse_received(field).from_ip == "192.0.2.7"
