"""What every command of the CLI shares: exit codes, colour choice, profile choice, output.

Kept apart from ``__init__.py`` so the command modules can import it without an import cycle.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from mailcheck.app.output import write_text
from mailcheck.app.resolver import DnsOptions
from mailcheck.base.model import Status
from mailcheck.dns.live import Nameserver

EXIT_OK, EXIT_WARN, EXIT_FAIL, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_RUNTIME = 0, 1, 2, 3, 4, 5
STATUS_EXIT = {
    Status.PASS: EXIT_OK,
    Status.INFO: EXIT_OK,
    Status.WARN: EXIT_WARN,
    Status.ERROR: EXIT_INCOMPLETE,
    Status.FAIL: EXIT_FAIL,
}


def use_color(to_terminal: bool, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return to_terminal and not environ.get("NO_COLOR")


def nameservers(texts: Sequence[str]) -> tuple[Nameserver, ...]:
    """``--nameserver`` values, parsed once here into the request."""
    return tuple(Nameserver.from_text(text) for text in texts)


def dns_options(args: argparse.Namespace) -> DnsOptions:
    """``--snapshot``, ``--nameserver`` and ``--timeout`` as the run's DNS options."""
    return DnsOptions(args.snapshot, nameservers(args.nameserver), args.timeout)


def emit(text: str, output: Path | None) -> None:
    """Write ``text`` to stdout, or to ``output`` when given."""
    if output is None:
        sys.stdout.write(text)
    else:
        write_text(output, text)
