"""The command line: parse, call the library, render, return an exit code. No logic here.

Exit codes: 0 all good, 1 warnings, 2 failures that would stop delivery, 3 usage or input
errors (arguments, rules files, snapshots), 4 a check could not complete (DNS timeout or
server failure), 5 other runtime errors (writing output, binding a port).

``parser`` holds the argument table, ``base`` what the commands share, and one module per
command group holds its glue.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from mailcheck.base.errors import (
    InputError,
    MailcheckError,
    ProfileError,
    SnapshotError,
    UsageError,
)
from mailcheck.cli import analyze, report, rules, snippets
from mailcheck.cli import diff as diff_command
from mailcheck.cli.base import (
    EXIT_FAIL,
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_RUNTIME,
    EXIT_USAGE,
    EXIT_WARN,
    use_color,
)
from mailcheck.cli.inputs import input_message
from mailcheck.cli.parser import DESCRIPTION, EPILOG, build_parser
from mailcheck.cli.usage import ArgumentParser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args_list or "--verbose" in args_list
    try:
        args = build_parser().parse_args(args_list)
        code = _dispatch(args, args_list)
        sys.stdout.flush()  # here, so a closed pipe is caught below, not at interpreter exit
        return code
    except MailcheckError as exc:
        if verbose:
            traceback.print_exc()
        print(f"mailcheck: error: {error_text(exc)}", file=sys.stderr)
        return _error_exit(exc)
    except BrokenPipeError:
        # The reader went away (``mailcheck codes | head``): that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a crash must never exit 1, which means "warnings"
        return _crash(exc, verbose)


def _crash(exc: Exception, verbose: bool) -> int:
    """One line naming the bug (the traceback only with ``-v``), and exit 5."""
    if verbose:
        traceback.print_exc()
    text = str(exc)
    first = (
        "".join(ch if ch.isprintable() else "?" for ch in text.splitlines()[0][:300])
        if text
        else ""
    )
    print(
        f"mailcheck: internal error: {type(exc).__name__}: {first} "
        "(a bug: run again with -v for the traceback and report it)",
        file=sys.stderr,
    )
    return EXIT_RUNTIME


def error_text(exc: MailcheckError) -> str:
    """The error in words: a missing file is said plainly, not as ``[Errno 2] …``."""
    cause = exc.__cause__
    if isinstance(cause, FileNotFoundError) and cause.filename:
        return f"no such file: {cause.filename}"
    if isinstance(exc, InputError):
        return input_message(exc)
    return str(exc)


def _error_exit(exc: MailcheckError) -> int:
    if isinstance(exc, InputError | UsageError | ProfileError | SnapshotError):
        return EXIT_USAGE
    return EXIT_RUNTIME


def _dispatch(args: argparse.Namespace, argv: list[str]) -> int:
    match args.command:
        case "report":
            return report.report(args, argv)
        case "sender":
            return report.sender(args, argv)
        case "rules":
            return rules.rules(args)
        case "codes":
            return rules.codes(markdown=args.markdown)
        case "diff":
            return diff_command.diff(args)
        case "analyze":
            return analyze.analyze(args, argv)
        case "snippets":
            return snippets.snippets(args)
        case "audit":
            from mailcheck.cli import audit

            return audit.run_audit(args)
        case "sink":
            # Imported late: aiosmtpd, dkimpy and SQLite load only for the SMTP commands.
            from mailcheck.cli import sink

            return sink.sink(args)
        case "send-test":
            from mailcheck.cli import sink

            return sink.send_test(args)
    raise UsageError(f"unknown command {args.command!r}")


__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "EXIT_FAIL",
    "EXIT_INCOMPLETE",
    "EXIT_OK",
    "EXIT_RUNTIME",
    "EXIT_USAGE",
    "EXIT_WARN",
    "ArgumentParser",
    "build_parser",
    "main",
    "use_color",
]
