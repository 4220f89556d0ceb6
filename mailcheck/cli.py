"""The command line: parse, call the library, render, return an exit code. No logic here.

Exit codes: 0 all good, 1 warnings, 2 failures that would stop delivery, 3 usage or input
errors (arguments, rules files, snapshots), 4 a check could not complete (DNS timeout or
server failure), 5 other runtime errors (writing output, binding a port).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import NoReturn

from mailcheck import __version__, app, rulebook
from mailcheck.codes import CODES, markdown_table
from mailcheck.dns.live import Nameserver
from mailcheck.dns.snapshot import EvidenceResolver
from mailcheck.errors import MailcheckError, ProfileError, ReportError, SnapshotError, UsageError
from mailcheck.model import Report, Status
from mailcheck.profiles import SenderProfile, get_profile, load_profiles
from mailcheck.report import ReportFormat, bundle
from mailcheck.report.sender_matrix import render_matrix
from mailcheck.report.text import TextRenderer
from mailcheck.smtp.probe import ProbeOptions

EXIT_OK, EXIT_WARN, EXIT_FAIL, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_RUNTIME = 0, 1, 2, 3, 4, 5
_STATUS_EXIT = {
    Status.PASS: EXIT_OK,
    Status.INFO: EXIT_OK,
    Status.WARN: EXIT_WARN,
    Status.ERROR: EXIT_INCOMPLETE,
    Status.FAIL: EXIT_FAIL,
}


DESCRIPTION = "Will a SaaS sender's mail reach your users, and what exactly must you allow?"
EPILOG = """exit codes: 0 all good, 1 warnings, 2 failures that would stop delivery,
  3 usage or input errors, 4 a check could not complete (DNS), 5 other runtime errors.
Set NO_COLOR to turn colour off."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse exits 2 on bad arguments, which means "delivery failure" here: raise instead."""

    def error(self, message: str) -> NoReturn:
        """Turn argparse's complaint into a ``UsageError``."""
        raise UsageError(f"{self.prog}: {message}")


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
    report.add_argument("domain", nargs="?", help="the company's mail domain, e.g. example.com")
    _add_profile_options(report)
    _add_dns_options(report, replay=True)
    _add_output_options(report, folder=True)
    _add_probe_options(report)

    sender = commands.add_parser(
        "sender", help="check a sender's live SPF against its profile (matrix, drift, owners)"
    )
    sender.add_argument("profile_id", nargs="?", metavar="PROFILE", help="profile id (optional)")
    _add_profile_options(sender)
    _add_dns_options(sender)
    _add_output_options(sender)

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

    analyze = commands.add_parser(
        "analyze", help="explain why a message landed in junk or quarantine, and the fix"
    )
    _add_analyze_options(analyze)
    _add_dns_options(analyze)
    _add_output_options(analyze)

    snippets = commands.add_parser("snippets", help="write allowlist snippets for mail filters")
    _add_profile_options(snippets)
    _add_snippet_options(snippets)

    codes = commands.add_parser("codes", help="list every finding code and what it means")
    codes.add_argument("--markdown", action="store_true", help="print README's Markdown table")
    _add_sink_parser(commands)
    _add_send_test_parser(commands)
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
    _add_dns_options(sink)
    actions = sink.add_subparsers(
        dest="sink_command", required=False, metavar="ACTION", parser_class=ArgumentParser
    )
    for name, text in (("list", "list received messages"), ("report", "HTML of messages")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--maildir", type=Path, default=argparse.SUPPRESS, metavar="DIR")
        action.add_argument("--limit", type=int, default=1000, help="newest N (default 1000)")
        if name == "report":
            action.add_argument("--output", type=Path, metavar="FILE")
    show = actions.add_parser("show", help="show one received message")
    show.add_argument("message_id", type=int, metavar="ID")
    show.add_argument("--maildir", type=Path, default=argparse.SUPPRESS, metavar="DIR")
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


def _add_profile_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        default=os.environ.get("MAILCHECK_PROFILE"),
        metavar="ID",
        help="sender profile id (default: the only profile, or $MAILCHECK_PROFILE)",
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


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def _add_dns_options(parser: argparse.ArgumentParser, *, replay: bool = False) -> None:
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
        type=float,
        default=float(os.environ.get("MAILCHECK_TIMEOUT", 5)),
        metavar="SECONDS",
        help="per-attempt DNS timeout (default 5)",
    )
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args_list or "--verbose" in args_list
    try:
        args = build_parser().parse_args(args_list)
        return _dispatch(args, args_list)
    except MailcheckError as exc:
        if verbose:
            traceback.print_exc()
        print(f"mailcheck: error: {exc}", file=sys.stderr)
        return _error_exit(exc)
    except KeyboardInterrupt:
        return 130


def _error_exit(exc: MailcheckError) -> int:
    if isinstance(exc, UsageError | ProfileError | SnapshotError):
        return EXIT_USAGE
    return EXIT_RUNTIME


def _dispatch(args: argparse.Namespace, argv: list[str]) -> int:
    match args.command:
        case "report":
            return _report(args, argv)
        case "sender":
            return _sender(args, argv)
        case "rules":
            return _rules(args)
        case "codes":
            return _codes(markdown=args.markdown)
        case "analyze":
            return _analyze(args, argv)
        case "snippets":
            return _snippets(args)
        case "sink":
            from mailcheck import sink_cli

            return sink_cli.sink(args)
        case "send-test":
            from mailcheck import sink_cli

            return sink_cli.send_test(args)
    raise UsageError(f"unknown command {args.command!r}")


def _snippets(args: argparse.Namespace) -> int:
    from mailcheck.snippets import FilterKind, SnippetOptions, render_snippets
    from mailcheck.snippets.files import listing_line, write_snippets

    profile = _pick_profile(args.profile, tuple(args.rules))
    options = SnippetOptions(args.include_ip_allowlist, args.review_date, args.spamassassin_legacy)
    filters = tuple(FilterKind(name) for name in args.filters or FilterKind)
    outputs = render_snippets(profile, options, filters)
    if args.output is None:
        sys.stdout.write("\n".join(o.text for o in outputs))
        return EXIT_OK
    for output, path in zip(outputs, write_snippets(outputs, args.output), strict=True):
        print(listing_line(output, path))
    return EXIT_OK


def _codes(*, markdown: bool) -> int:
    if markdown:
        print(markdown_table(), end="")
    else:
        for code, info in sorted(CODES.items()):
            print(f"{code}  {info.title}: {info.meaning}")
    return EXIT_OK


def _report(args: argparse.Namespace, argv: list[str]) -> int:
    probe = _probe_options(args)
    request, resolver = _report_request(args, argv)
    profile = _pick_profile(request.profile_id, tuple(args.rules))
    # Replaying evidence must not touch the network: no policy fetches then.
    live = args.replay is None and args.snapshot is None
    checks = app.report_checks(probe, fetch_policies=live)
    report = asyncio.run(
        app.build_report(request.domain, resolver, profile, checks, command=request.command)
    )
    evidence = app.with_request(resolver.evidence(), replace(request, profile_id=profile.id))
    if args.record is not None:
        _write(args.record, evidence.to_json())
    color = use_color(sys.stdout.isatty(), os.environ)
    if args.stdout or args.format is not None:
        renderer = (args.format or ReportFormat.TEXT).renderer(color=color and not args.output)
        _emit(renderer.render(report), args.output)
    else:
        base = Path(os.environ.get("MAILCHECK_REPORTS_DIR", "reports"))
        directory = args.output or bundle.default_directory(base, report)
        html = bundle.write_bundle(report, evidence.to_json(), directory)
        sys.stdout.write(TextRenderer(color=color).summary(report))
        print(f"Report: {html}")
    return _STATUS_EXIT[report.worst_status]


def _report_request(
    args: argparse.Namespace, argv: list[str]
) -> tuple[app.RunRequest, EvidenceResolver]:
    if args.replay is not None:
        if args.domain is not None:
            raise UsageError("--replay takes the domain recorded in the evidence; drop DOMAIN")
        return app.open_replay(args.replay)
    if args.domain is None:
        raise UsageError("report: the following arguments are required: domain (or --replay)")
    try:
        domain = app.check_domain(args.domain)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    options = app.DnsOptions(
        args.snapshot, tuple(Nameserver.from_text(n) for n in args.nameserver), args.timeout
    )
    resolver, _live = app.open_resolver(options)
    return app.RunRequest(domain, args.profile, ("mailcheck", *argv)), resolver


def _analyze(args: argparse.Namespace, argv: list[str]) -> int:
    from mailcheck.message.run import analyze_messages, parse_networks

    profile = get_profile(args.profile, tuple(args.rules)) if args.profile else None
    options = app.DnsOptions(
        args.snapshot, tuple(Nameserver.from_text(n) for n in args.nameserver), args.timeout
    )
    resolver, _live = app.open_resolver(options)
    reports = asyncio.run(
        analyze_messages(
            args.message,
            sys.stdin.buffer if args.message == "-" else None,
            resolver,
            org_domain=args.org_domain,
            networks=parse_networks(args.org_network),
            authserv_ids=tuple(args.authserv_id),
            profile=profile,
            generated_at=resolver.evidence().recorded_at,
            command=("mailcheck", *argv),
        )
    )
    if args.record is not None:
        _write(args.record, resolver.evidence().to_json())
    color = use_color(args.output is None and sys.stdout.isatty(), os.environ)
    text = _render_messages(reports, args.format or ReportFormat.TEXT, color)
    _emit(text, args.output)
    worst = max((r.worst_status for r in reports), key=lambda s: s.severity)
    return _STATUS_EXIT[worst]


def _render_messages(reports: Sequence[Report], output: ReportFormat, color: bool) -> str:
    """One message: its report. Several: text reports in a row, or one JSON document."""
    from mailcheck.report.json import to_data

    if len(reports) == 1:
        return output.renderer(color=color).render(reports[0])
    if output is ReportFormat.JSON:
        documents = {
            "schema_version": reports[0].schema_version,
            "messages": [to_data(r) for r in reports],
        }
        return json.dumps(documents, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if output is ReportFormat.HTML:
        raise UsageError(f"{len(reports)} messages: HTML is one page per message (use --json)")
    renderer = output.renderer(color=color)
    return "\n".join(renderer.render(r) for r in reports)


def _sender(args: argparse.Namespace, argv: list[str]) -> int:
    profile = _pick_profile(args.profile_id or args.profile, tuple(args.rules))
    options = app.DnsOptions(
        args.snapshot, tuple(Nameserver.from_text(n) for n in args.nameserver), args.timeout
    )
    resolver, _live = app.open_resolver(options)
    command = ("mailcheck", *argv)
    report = asyncio.run(app.build_sender_report(resolver, profile, command=command))
    if args.record is not None:
        _write(args.record, resolver.evidence().to_json())
    color = use_color(args.output is None and sys.stdout.isatty(), os.environ)
    output_format = args.format or ReportFormat.TEXT
    text = output_format.renderer(color=color).render(report)
    if output_format is ReportFormat.TEXT:
        text = render_matrix(report) + text
    _emit(text, args.output)
    return _STATUS_EXIT[report.worst_status]


def use_color(to_terminal: bool, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return to_terminal and not environ.get("NO_COLOR")


def _probe_options(args: argparse.Namespace) -> ProbeOptions | None:
    if not args.probe_rcpt:
        return None
    if args.replay is not None or args.snapshot is not None:
        raise UsageError("--probe-rcpt talks to the live MX hosts; it cannot replay evidence")
    try:
        return app.probe_options(args.probe_rcpt, args.probe_port, args.probe_max_mx)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _pick_profile(profile_id: str | None, rules_dirs: tuple[Path, ...]) -> SenderProfile:
    if profile_id:
        return get_profile(profile_id, rules_dirs)
    profiles = load_profiles(rules_dirs)
    if len(profiles) != 1:
        raise UsageError(
            f"choose a profile with --profile ID (known: {', '.join(sorted(profiles))})"
        )
    return next(iter(profiles.values()))


def _rules(args: argparse.Namespace) -> int:
    match args.rules_command:
        case "list":
            for profile in load_profiles(tuple(args.rules)).values():
                print(f"{profile.id:<24} {profile.name} ({profile.source})")
            return EXIT_OK
        case "show":
            print(_describe(get_profile(args.profile_id, tuple(args.rules))), end="")
            return EXIT_OK
    return _validate(args.paths)


def _validate(paths: list[Path]) -> int:
    from mailcheck.rulefile import builtin_rules_dir

    results = rulebook.validate_paths(paths or [builtin_rules_dir()])
    for path, error in results:
        print(f"ok    {path}" if error is None else f"error {error}")
    bad = sum(1 for _, error in results if error is not None)
    print(f"{len(results)} files, {bad} with errors", file=sys.stderr)
    return EXIT_USAGE if bad or not results else EXIT_OK


def _describe(profile: SenderProfile) -> str:
    lines = [
        f"{profile.name} ({profile.id}) by {profile.vendor}",
        profile.purpose,
        f"source: {profile.source}  sha256: {profile.sha256}",
        "",
        "senders:",
    ]
    lines += [f"  {s.address:<52} {s.environment}" for s in profile.senders]
    lines += ["", "source networks:"]
    for net in profile.networks:
        flag = "documented" if net.documented else "NOT documented (never allowlisted)"
        lines.append(f"  {str(net.network):<20} {flag}  {net.label}".rstrip())
    lines += ["", "provenance:"] + [
        f"  {p.title}\n    {p.url} (retrieved {p.retrieved})" for p in profile.provenance
    ]
    return "\n".join(lines) + "\n"


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        _write(output, text)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
