"""The sink's CLI: list / show / report over a real sink's Maildir, and the bind guard."""

from __future__ import annotations

import json
import os
import smtplib
import socket
import time

import pytest

from mailcheck.cli import main
from mailcheck.smtp.index import index_path, list_messages

from .helpers import RawClient, dot_stuff
from .subprocess_sink import SinkProcess


async def _receive_with_hostile_helo(sink) -> None:
    client = await RawClient.connect(sink.port)
    assert (await client.cmd("EHLO <script>alert(1)</script>")).startswith("250")
    assert (await client.cmd("MAIL FROM:<a@example.com>")).startswith("250")
    assert (await client.cmd("RCPT TO:<b@example.net>")).startswith("250")
    assert (await client.cmd("DATA")).startswith("354")
    await client.send(dot_stuff(b"Subject: x\r\n\r\nhi\r\n"))
    assert (await client.reply()).startswith("250")
    await client.close()


async def test_list_show_report(sink, capsys, tmp_path):
    await _receive_with_hostile_helo(sink)
    maildir = str(sink.maildir.path)
    assert main(["sink", "list", "--maildir", maildir]) == 0
    listing = capsys.readouterr().out
    assert "<a@example.com> -> b@example.net" in listing and listing.strip().startswith("1 ")
    assert main(["sink", "list", "--json", "--limit", "5", "--maildir", maildir]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["helo"] == "<script>alert(1)</script>" and listed["rcpt_to"] == ["b@example.net"]
    assert main(["sink", "list", "--limit", "0", "--maildir", maildir]) == 3
    assert "'0' is not a positive whole number" in capsys.readouterr().err
    assert main(["sink", "show", "1", "--maildir", maildir]) == 0
    shown = capsys.readouterr().out
    assert (
        "HELO:        <script>alert(1)</script>" in shown
        and "RCPT TO:     <b@example.net>" in shown
    )
    assert main(["sink", "show", "1", "--json", "--maildir", maildir]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["helo"] == "<script>alert(1)</script>" and data["path"].endswith(data["key"])
    out = tmp_path / "sink.html"
    assert main(["sink", "report", "--maildir", maildir, "--output", str(out)]) == 0
    html = out.read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Content-Security-Policy" in html
    assert main(["sink", "show", "99", "--maildir", maildir]) == 3
    assert "no message with id 99" in capsys.readouterr().err


def test_non_loopback_needs_the_flag(tmp_path, capsys):
    code = main(["sink", "--listen", "192.0.2.1:2525", "--maildir", str(tmp_path / "M")])
    assert code == 3
    assert "--allow-non-loopback" in capsys.readouterr().err
    assert not (tmp_path / "M").exists()


def test_non_loopback_with_the_flag_warns_before_binding(tmp_path, capsys):
    # 192.0.2.1 (TEST-NET-1) is on no interface here: the bind fails after the warning, so
    # nothing is ever exposed.
    argv = ["sink", "--listen", "192.0.2.1:2525", "--allow-non-loopback", "--no-analysis"]
    code = main([*argv, "--maildir", str(tmp_path / "M")])
    err = capsys.readouterr().err
    assert "warning: the sink listens on 192.0.2.1, beyond loopback" in err
    assert code == 5 and "cannot listen on 192.0.2.1:2525" in err and "Traceback" not in err


def test_list_needs_a_sink_maildir(tmp_path, capsys):
    assert main(["sink", "list", "--maildir", str(tmp_path)]) == 3
    assert "not a sink Maildir" in capsys.readouterr().err


def test_snapshot_options_are_not_offered(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["sink", "--help"])
    shown = capsys.readouterr().out
    assert "--nameserver" in shown
    assert "--snapshot" not in shown and "--record" not in shown
    argv = ["sink", "--maildir", str(tmp_path / "M"), "--snapshot", str(tmp_path / "s.json")]
    assert main(argv) == 3


def test_ctrl_c_stops_the_sink_and_its_writer_cleanly(tmp_path):
    sink = SinkProcess(tmp_path / "Maildir").start()
    group = sink.proc.pid
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
        client.sendmail("a@example.com", ["b@example.net"], b"Subject: x\r\n\r\nhi\r\n")
    code, output = sink.interrupt()
    assert code == 0 and "Traceback" not in output, output
    with pytest.raises(ProcessLookupError):  # nothing of the group is left, writer included
        os.killpg(group, 0)
    assert len(list_messages(index_path(tmp_path / "Maildir"))) == 1


def _send(port: int, count: int, sender: str = "a@example.com", envelope: str = "") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        for n in range(count):
            body = f"From: {sender}\r\nSubject: note {n}\r\n\r\nhi\r\n".encode()
            client.sendmail(envelope or sender, ["b@example.net"], body)


def _wait_for(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_line_per_message_and_a_summary_on_stop(tmp_path, world):
    dns = ["--nameserver", f"127.0.0.1:{world.port}", "--timeout", "2"]
    sink = SinkProcess(tmp_path / "Maildir", *dns, analyse=True).start()
    group = sink.proc.pid
    _send(sink.port, 1, "alerts@sinktest.example")  # SPF passes for 127.0.0.1: aligned
    _send(sink.port, 1, "alerts@sinktest.example", envelope="x@evil.example")
    _wait_for(lambda: sum("dkim=" in line for line in sink.output) == 2)
    code, output = sink.interrupt()
    assert code == 0 and "Traceback" not in output, output
    good, forged = [line for line in output.splitlines() if "dkim=" in line]
    assert "127.0.0.1 <alerts@sinktest.example> -> b@example.net " in good
    assert "dkim=none spf=pass dmarc=pass" in good and "SUSPICIOUS" not in good
    assert "<x@evil.example> -> b@example.net " in forged
    assert "SUSPICIOUS dkim=none spf=none dmarc=fail" in forged
    assert "stopped: 2 stored; 2 messages, 1 authenticated (DMARC pass), 1 suspicious" in output
    _wait_for(lambda: not _group_alive(group), 10)
    assert not _group_alive(group)  # the analysis workers (and their forkserver) are gone too


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_with_a_backlog_stops_at_once_and_analyses_it_at_the_next_start(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as blackhole:  # never answers
        blackhole.bind(("127.0.0.1", 0))
        dns = ["--nameserver", f"127.0.0.1:{blackhole.getsockname()[1]}", "--timeout", "5"]
        sink = SinkProcess(tmp_path / "Maildir", *dns, analyse=True).start()
        _send(sink.port, 30)
        started = time.monotonic()
        code, output = sink.interrupt()
        took = time.monotonic() - started
    assert code == 0 and "Traceback" not in output, output
    assert took < 3.0, f"took {took:.1f} s to stop"  # the target is 2 s; slack for a busy CI
    assert "not analysed yet (analysed at the next start)" in output
    rows = list_messages(index_path(tmp_path / "Maildir"))
    assert len(rows) == 30 and any(row["analysis"] is None for row in rows)
    # stopping the worker is not the message's fault: nothing is recorded against it
    assert not any(row["analysis"] and "error" in row["analysis"] for row in rows)
    assert "stopped: 30 stored; " in output
