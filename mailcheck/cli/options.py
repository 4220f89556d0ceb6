"""The probe options of the command line, checked (shared by the one-domain and the
many-domain report, so neither imports the other)."""

from __future__ import annotations

import argparse

from mailcheck.app.report import probe_options as checked_probe
from mailcheck.base.errors import UsageError
from mailcheck.smtp.probe import ProbeOptions


def probe_options(args: argparse.Namespace) -> ProbeOptions | None:
    """``--probe-rcpt`` and friends, checked; None without ``--probe-rcpt``."""
    if not args.probe_rcpt:
        return None
    if args.replay is not None or args.snapshot is not None:
        raise UsageError("--probe-rcpt talks to the live MX hosts; it cannot replay evidence")
    return checked_probe(args.probe_rcpt, args.probe_port, args.probe_max_mx)
