"""The ``sink`` and ``send-test`` commands of the CLI: argument mapping, printing, exit codes.

Imported only when one of them runs: it pulls in aiosmtpd, dkimpy and SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

from mailcheck.app import sink as sink_app
from mailcheck.app.profiles import ProfileChoice
from mailcheck.app.send_test import (
    DkimSigning,
    SendTestRequest,
    profile_sender,
    send_verification,
    wait_for_arrival,
)
from mailcheck.base.errors import UsageError
from mailcheck.cli.addresses import envelope_address, parse_listen, parse_server
from mailcheck.cli.base import EXIT_FAIL, EXIT_OK, EXIT_WARN, emit, nameservers
from mailcheck.report import sink as render
from mailcheck.smtp.sendtest import Outcome, SendOptions
from mailcheck.smtp.server import RunningSink


def sink(args: argparse.Namespace) -> int:
    """``mailcheck sink [ACTION]``."""
    match args.sink_command:
        case "list":
            rows = sink_app.messages(args.maildir, args.limit)
            print(render.json_dump(rows) if args.json else render.text_list(rows), end="")
            return EXIT_OK
        case "show":
            row = sink_app.message(args.maildir, args.message_id)
            print(render.json_dump(row) if args.json else render.text_show(row), end="")
            return EXIT_OK
        case "report":
            rows = sink_app.with_sources(args.maildir, sink_app.messages(args.maildir, args.limit))
            emit(render.html_list(rows, str(args.maildir)), args.output)
            return EXIT_OK
    return _serve(args)


def _log_to_stderr() -> None:
    """Warnings of the running sink to stderr, escaped (they quote client bytes)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(render.LogFormatter("mailcheck sink: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _request(args: argparse.Namespace) -> sink_app.SinkRequest:
    host, port = parse_listen(args.listen)
    return sink_app.SinkRequest(
        maildir=args.maildir,
        host=host,
        port=port,
        allow_non_loopback=args.allow_non_loopback,
        size_limit=args.size_limit,
        max_connections=args.max_connections,
        max_per_client=args.max_per_client,
        tls=not args.no_tls,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        proxy_protocol=args.proxy_protocol,
        behaviours=args.behaviours,
        analysis=not args.no_analysis,
        nameservers=nameservers(args.nameserver),
        timeout=args.timeout,
        profile=ProfileChoice(args.profile, tuple(args.rules), args.allow_unsafe_networks),
    )


def _serve(args: argparse.Namespace) -> int:
    plan = sink_app.plan(_request(args))
    if plan.beyond_loopback:
        print(
            f"mailcheck: warning: the sink listens on {plan.config.host}, beyond loopback: "
            "anyone who can reach it can store mail here",
            file=sys.stderr,
        )
    tally = render.Tally()
    _log_to_stderr()

    def on_message(row: dict[str, Any]) -> None:
        tally.add(row["analysis"])
        # one write per line: with PYTHONUNBUFFERED, print() costs a system call per part
        sys.stdout.write(render.terminal_line(row) + "\n")
        sys.stdout.flush()

    outcome = asyncio.run(sink_app.serve(plan, _ready, on_message))
    left = outcome.unanalysed
    backlog = f"; {left} not analysed yet (analysed at the next start)" if left else ""
    print(f"mailcheck sink: stopped: {outcome.stored} stored; {tally.line()}{backlog}", flush=True)
    return EXIT_OK


def _ready(running: RunningSink) -> None:
    fixed = running.reconciled
    if fixed.tmp_removed:
        print(f"startup: removed {fixed.tmp_removed} unacknowledged partial file(s)", flush=True)
    for label, keys in (
        ("indexed files missing from the index", fixed.indexed),
        ("dropped index rows whose file is gone", fixed.dropped),
        ("DAMAGED files left in place (not indexed)", fixed.damaged),
        ("entries that are not regular files, skipped", fixed.skipped),
    ):
        if keys:
            names = render.clean(", ".join(keys[:5]))
            print(f"startup: {label}: {len(keys)}: {names}", flush=True)
    address = running.server.sockets[0].getsockname()
    print(f"mailcheck sink: listening on {address[0]}:{address[1]}", flush=True)


def send_test(args: argparse.Namespace) -> int:
    """``mailcheck send-test``: exit 0 accepted (and arrived), 1 temporary failure, 2 otherwise."""
    host, port = parse_server(args.server)
    recipient = envelope_address("--to", args.to)
    choice = ProfileChoice(args.profile, tuple(args.rules), args.allow_unsafe_networks)
    sender = envelope_address("--from", args.sender or profile_sender(choice))
    dkim = None
    if args.dkim_key is not None:
        if not (args.dkim_domain and args.dkim_selector):
            raise UsageError("--dkim-key needs --dkim-domain and --dkim-selector")
        dkim = DkimSigning(args.dkim_domain, args.dkim_selector, args.dkim_key)
    options = SendOptions(
        host,
        port,
        require_tls=args.require_tls,
        username=args.user,
        password=os.environ.get("MAILCHECK_SMTP_PASSWORD"),
        timeout=args.timeout,
    )
    sent = send_verification(SendTestRequest(sender, recipient, options, dkim))
    result, message = sent.result, sent.message
    print("\n".join(result.transcript))
    print(f"outcome: {result.outcome} at {result.stage}: {result.reply}")
    print(f"token: {message.token}")
    if result.outcome is not Outcome.ACCEPTED:
        return EXIT_WARN if result.outcome is Outcome.TEMPFAIL else EXIT_FAIL
    if args.wait_in_sink is not None:
        return _wait(args.wait_in_sink, message.token, args.timeout, result.sent_at)
    return EXIT_OK


def _wait(maildir: Path, token: str, timeout: float, sent_at: float) -> int:
    arrived = wait_for_arrival(maildir, token, timeout)
    print(f"arrived in {maildir} after {max(0.0, arrived - sent_at):.2f} s (end to end)")
    return EXIT_OK


__all__ = ["send_test", "sink"]
