"""The argument table of the command line: every command, option, default and help text.

``mailcheck --help`` and README's generated help block come from ``build_parser()`` here.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from mailcheck import __version__
from mailcheck.cli import audit as audit_cli
from mailcheck.cli import diff as cli_diff
from mailcheck.cli import report as cli_report
from mailcheck.cli.usage import ArgumentParser, describe_subcommands, positive_int
from mailcheck.report import ReportFormat
from mailcheck.rulefiles.sources import DEFAULT_MAX_AGE_DAYS

DESCRIPTION = "Will a SaaS sender's mail reach your users, and what exactly must you allow?"
EPILOG = """exit codes: 0 all good, 1 warnings, 2 failures that would stop delivery,
  3 usage or input errors, 4 a check could not complete (DNS), 5 other runtime errors.
Set NO_COLOR to turn colour off."""


def build_parser() -> ArgumentParser:
    """The argument table."""
    parser = ArgumentParser(
        prog="mailcheck",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mailcheck {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=ArgumentParser
    )

    report = commands.add_parser(
        "report",
        help="check a company domain against a sender profile",
        description="Write report.html, report.json, evidence.json and snippets/ into "
        "reports/<domain>/<UTC time>/ (or --output DIR) and print a summary. "
        "--format/--json/--stdout print one format to stdout instead.",
    )
    report.add_argument("domain", nargs="*", help="the company's mail domain(s), e.g. example.com")
    _add_profile_options(report)
    _add_dns_options(report, replay=True)
    _add_output_options(report, folder=True)
    _add_probe_options(report)
    report.add_argument(
        "--audit",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="also audit this existing allowlist (repeatable; format guessed)",
    )
    _add_source_age(report)
    cli_report.add_report_options(report)
    cli_diff.add_diff_parser(commands)

    sender = commands.add_parser(
        "sender", help="check a sender's live SPF against its profile (matrix, drift, owners)"
    )
    sender.add_argument(
        "profile_id",
        nargs="?",
        metavar="PROFILE",
        help="sender profile id (or --profile ID; default: the only profile, or "
        "$MAILCHECK_PROFILE)",
    )
    _add_profile_options(sender, from_environment=False)
    _add_dns_options(sender)
    _add_output_options(sender)
    _add_source_age(sender)

    rules = commands.add_parser("rules", help="list, show and validate sender profiles")
    rules_commands = rules.add_subparsers(
        dest="rules_command", required=True, metavar="ACTION", parser_class=ArgumentParser
    )
    _add_rules_dir(rules_commands.add_parser("list", help="list the sender profiles"))
    show = rules_commands.add_parser("show", help="show one sender profile")
    show.add_argument("profile_id", metavar="ID")
    _add_rules_dir(show)
    validate = rules_commands.add_parser("validate", help="validate rules files or folders")
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders (default: the shipped rules)",
    )
    _add_unsafe_networks(validate)

    analyze = commands.add_parser(
        "analyze", help="explain why a message landed in junk or quarantine, and the fix"
    )
    _add_analyze_options(analyze)
    _add_dns_options(analyze)
    _add_output_options(analyze)

    audit = commands.add_parser(
        "audit",
        help="judge an existing allowlist against a sender profile",
        description="Exit 0: every entry documented or unrelated; 1: entries to fix; "
        "2: an entry admits forged mail.",
    )
    audit_cli.add_arguments(audit)
    _add_profile_options(audit)
    _add_dns_options(audit)
    _add_output_options(audit)

    snippets = commands.add_parser("snippets", help="write allowlist snippets for mail filters")
    _add_profile_options(snippets)
    _add_snippet_options(snippets)

    codes = commands.add_parser("codes", help="list every finding code and what it means")
    codes.add_argument("--markdown", action="store_true", help="print README's Markdown table")
    _add_sink_parser(commands)
    _add_send_test_parser(commands)
    describe_subcommands(parser)
    return parser


def _add_sink_parser(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    sink = commands.add_parser(
        "sink",
        help="run an SMTP sink that stores and analyses mail",
        description="Without ACTION: run the sink (127.0.0.1 by default; never relays). "
        "Every accepted message is on disk before 250 is sent.",
    )
    sink.add_argument(
        "--listen",
        default="127.0.0.1:2525",
        metavar="HOST:PORT",
        help="address to listen on (default 127.0.0.1:2525; loopback only "
        "unless --allow-non-loopback)",
    )
    sink.add_argument(
        "--maildir",
        type=Path,
        default=Path("sink-maildir"),
        metavar="DIR",
        help="Maildir (with its SQLite index) for accepted mail (default sink-maildir)",
    )
    sink.add_argument("--behaviours", type=Path, metavar="FILE", help="sink-behaviours TOML")
    sink.add_argument("--allow-non-loopback", action="store_true", help="listen beyond loopback")
    sink.add_argument(
        "--size-limit",
        type=int,
        default=25_000_000,
        metavar="OCTETS",
        help="largest message accepted, advertised as SIZE (default 25000000)",
    )
    sink.add_argument(
        "--max-connections",
        type=int,
        default=200,
        metavar="N",
        help="sessions at once (default 200)",
    )
    sink.add_argument(
        "--max-per-client",
        type=int,
        default=50,
        metavar="N",
        help="sessions at once from one client IP (default 50)",
    )
    sink.add_argument("--tls-cert", type=Path, metavar="PEM", help="default: self-signed")
    sink.add_argument("--tls-key", type=Path, metavar="PEM", help="key for --tls-cert")
    sink.add_argument("--no-tls", action="store_true", help="do not offer STARTTLS")
    sink.add_argument(
        "--proxy-protocol", action="store_true", help="expect a PROXY header (trusted: loopback)"
    )
    sink.add_argument("--no-analysis", action="store_true", help="store only, analyse nothing")
    _add_profile_options(sink)
    _add_dns_options(sink, sources=False)  # analysis runs live: nothing to replay or record
    actions = sink.add_subparsers(
        dest="sink_command", required=False, metavar="ACTION", parser_class=ArgumentParser
    )
    maildir_help = "the sink's Maildir (default sink-maildir)"
    for name, text in (("list", "list received messages"), ("report", "HTML of messages")):
        action = actions.add_parser(name, help=text)
        action.add_argument(
            "--maildir", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=maildir_help
        )
        action.add_argument(
            "--limit", type=positive_int, default=50, metavar="N", help="newest N (default 50)"
        )
        if name == "list":
            action.add_argument("--json", action="store_true", help="JSON instead of text")
        else:
            action.add_argument("--output", type=Path, metavar="FILE", help="default: stdout")
    show = actions.add_parser("show", help="show one received message")
    show.add_argument("message_id", type=int, metavar="ID")
    show.add_argument(
        "--maildir", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=maildir_help
    )
    show.add_argument("--json", action="store_true", help="JSON instead of text")


def _add_send_test_parser(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    send = commands.add_parser("send-test", help="send a realistic test message from a sender")
    send.add_argument(
        "--server",
        required=True,
        metavar="HOST[:PORT]",
        help="SMTP server to hand the message to (port default 25)",
    )
    send.add_argument("--to", required=True, metavar="ADDRESS", help="recipient")
    send.add_argument("--from", dest="sender", metavar="ADDRESS", help="default: profile sender")
    send.add_argument(
        "--require-tls",
        action="store_true",
        help="fail unless STARTTLS succeeds (default: use it when offered)",
    )
    send.add_argument(
        "--user", metavar="NAME", help="AUTH user; password: $MAILCHECK_SMTP_PASSWORD"
    )
    send.add_argument(
        "--dkim-key",
        type=Path,
        metavar="PEM",
        help="DKIM-sign with this private key (with --dkim-domain, --dkim-selector)",
    )
    send.add_argument("--dkim-domain", metavar="DOMAIN", help="DKIM d= (with --dkim-key)")
    send.add_argument(
        "--dkim-selector", metavar="SELECTOR", help="DKIM selector s= (with --dkim-key)"
    )
    send.add_argument(
        "--wait-in-sink",
        type=Path,
        metavar="DIR",
        help="wait until the message's token arrives in this sink Maildir and "
        "report the end-to-end delay",
    )
    send.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="limit for the SMTP dialogue and for --wait-in-sink (default 60)",
    )
    _add_profile_options(send)


def _add_analyze_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "message", metavar="MESSAGE", help=".eml file, folder of them, mbox, or - (stdin)"
    )
    parser.add_argument(
        "--org-domain",
        default=os.environ.get("MAILCHECK_ORG_DOMAIN"),
        metavar="DOMAIN",
        help="the receiving organisation's mail domain (finds the entry hop and its filter)",
    )
    parser.add_argument(
        "--org-network",
        action="append",
        default=[],
        metavar="CIDR",
        help="an internal network of the organisation (repeatable)",
    )
    parser.add_argument(
        "--authserv-id",
        action="append",
        default=[],
        metavar="ID",
        help="trust only Authentication-Results with this authserv-id (repeatable)",
    )
    parser.add_argument(
        "--profile",
        default=os.environ.get("MAILCHECK_PROFILE"),
        metavar="ID",
        help="compare with this sender profile (default: none, or $MAILCHECK_PROFILE)",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        metavar="N",
        help="worker processes that parse and judge messages (default: one per core; "
        "1: all in this process)",
    )
    _add_rules_dir(parser)


def _add_rules_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also load sender profiles from DIR (repeatable)",
    )
    _add_unsafe_networks(parser)


def _add_unsafe_networks(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-unsafe-networks",
        action="store_true",
        help="load profile networks no internet sender can own (private, loopback, wider "
        "than /16 or /32...); the report says so",
    )


def _add_source_age(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-source-age",
        type=int,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="DAYS",
        help="warn when the profile's newest source page is older "
        f"(default {DEFAULT_MAX_AGE_DAYS})",
    )


def _add_profile_options(parser: argparse.ArgumentParser, *, from_environment: bool = True) -> None:
    parser.add_argument(
        "--profile",
        default=os.environ.get("MAILCHECK_PROFILE") if from_environment else None,
        metavar="ID",
        help="sender profile id (default: $MAILCHECK_PROFILE, else trimble-identity)"
        if from_environment
        else "sender profile id, instead of PROFILE",
    )
    _add_rules_dir(parser)


def _add_snippet_options(parser: argparse.ArgumentParser) -> None:
    from mailcheck.snippets import FilterKind

    parser.add_argument(
        "--filter",
        dest="filters",
        action="extend",
        nargs="+",
        choices=[kind.value for kind in FilterKind],
        metavar="NAME",
        help=f"only these filters (default: all): {', '.join(FilterKind)}",
    )
    parser.add_argument(
        "--include-ip-allowlist",
        action="store_true",
        help="also emit IP entries (documented single IPs only; risky for shared IPs)",
    )
    parser.add_argument(
        "--review-date",
        type=_day,
        metavar="YYYY-MM-DD",
        help="review/expiry date written into every snippet",
    )
    parser.add_argument(
        "--spamassassin-legacy",
        action="store_true",
        help="SpamAssassin 3.x spellings (whitelist_*) instead of 4.x welcomelist_*",
    )
    parser.add_argument(
        "--output", type=Path, metavar="DIR", help="write one file per filter into DIR"
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: the timeout must be more than 0 seconds")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def _add_dns_options(
    parser: argparse.ArgumentParser, *, replay: bool = False, sources: bool = True
) -> None:
    dns = parser.add_argument_group("DNS")
    dns.add_argument(
        "--nameserver",
        action="append",
        default=[],
        metavar="IP[:PORT]",
        help="ask this server (repeatable; default: the system resolver)",
    )
    dns.add_argument(
        "--timeout",
        type=_seconds,
        default=float(os.environ.get("MAILCHECK_TIMEOUT", 5)),
        metavar="SECONDS",
        help="per-attempt DNS timeout (default 5)",
    )
    if not sources:
        return
    source = dns.add_mutually_exclusive_group()
    source.add_argument(
        "--snapshot",
        type=Path,
        metavar="FILE",
        help="replay DNS answers from a snapshot instead of asking DNS",
    )
    source.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="save every DNS answer of this run to a snapshot file",
    )
    if replay:
        source.add_argument(
            "--replay",
            type=Path,
            metavar="EVIDENCE",
            help="rebuild a report from its evidence.json (domain and profile come from it)",
        )


def _add_probe_options(parser: argparse.ArgumentParser) -> None:
    probe = parser.add_argument_group(
        "SMTP probe (opt-in; asks each MX about the sender, never sends DATA)"
    )
    probe.add_argument(
        "--probe-rcpt",
        metavar="ADDRESS",
        help="probe the MX hosts with RCPT TO this recipient, e.g. user@company.example",
    )
    probe.add_argument(
        "--probe-port", type=int, default=25, metavar="PORT", help="SMTP port (default 25)"
    )
    probe.add_argument(
        "--probe-max-mx",
        type=int,
        default=2,
        metavar="N",
        help="probe at most the N most-preferred MX hosts (default 2)",
    )


def _add_output_options(parser: argparse.ArgumentParser, *, folder: bool = False) -> None:
    parser.add_argument(
        "--format",
        type=ReportFormat,
        choices=list(ReportFormat),
        help="print this one format to stdout instead of writing the report folder"
        if folder
        else "output format (default text)",
    )
    parser.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const=ReportFormat.JSON,
        help="same as --format json",
    )
    if not folder:
        parser.add_argument("--output", type=Path, metavar="FILE", help="write here, not stdout")
        return
    parser.add_argument(
        "--stdout", action="store_true", help="print the report (--format, default text) to stdout"
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help="the report folder (default reports/<domain>/<UTC time>/); "
        "with --format/--stdout, a file instead of stdout",
    )
