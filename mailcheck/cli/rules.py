"""The ``rules`` and ``codes`` commands: list, show and validate profiles; list finding codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailcheck import rulebook
from mailcheck.cli.base import EXIT_OK, EXIT_USAGE
from mailcheck.codes import CODES, markdown_table
from mailcheck.profiles import SenderProfile, get_profile, load_profiles


def rules(args: argparse.Namespace) -> int:
    """``mailcheck rules list|show|validate``."""
    match args.rules_command:
        case "list":
            unsafe = args.allow_unsafe_networks
            for profile in load_profiles(tuple(args.rules), allow_unsafe_networks=unsafe).values():
                print(f"{profile.id:<24} {profile.name} ({profile.source})")
            return EXIT_OK
        case "show":
            unsafe = args.allow_unsafe_networks
            profile = get_profile(args.profile_id, tuple(args.rules), allow_unsafe_networks=unsafe)
            print(_describe(profile), end="")
            return EXIT_OK
    return _validate(args.paths, args.allow_unsafe_networks)


def _validate(paths: list[Path], allow_unsafe_networks: bool) -> int:
    from mailcheck.rulefile import builtin_rules_dir

    results = rulebook.validate_paths(
        paths or [builtin_rules_dir()], allow_unsafe_networks=allow_unsafe_networks
    )
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


def codes(*, markdown: bool) -> int:
    """``mailcheck codes``: every finding code, or README's Markdown table."""
    if markdown:
        print(markdown_table(), end="")
    else:
        for code, info in sorted(CODES.items()):
            print(f"{code}  {info.title}: {info.meaning}")
    return EXIT_OK
