"""The DNS and probe options of the command line, as the app's requests (shared by the one-
domain and the many-domain report)."""

from __future__ import annotations

import argparse

from mailcheck import app
from mailcheck.dns.live import Nameserver
from mailcheck.errors import UsageError
from mailcheck.smtp.probe import ProbeOptions


def dns_options(args: argparse.Namespace) -> app.DnsOptions:
    """The DNS options of the command line."""
    return app.DnsOptions(
        args.snapshot, tuple(Nameserver.from_text(n) for n in args.nameserver), args.timeout
    )


def probe_options(args: argparse.Namespace) -> ProbeOptions | None:
    """``--probe-rcpt`` and friends, checked; None without ``--probe-rcpt``."""
    if not args.probe_rcpt:
        return None
    if args.replay is not None or args.snapshot is not None:
        raise UsageError("--probe-rcpt talks to the live MX hosts; it cannot replay evidence")
    try:
        return app.probe_options(args.probe_rcpt, args.probe_port, args.probe_max_mx)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
