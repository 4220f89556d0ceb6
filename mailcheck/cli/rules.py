"""The ``rules`` and ``codes`` commands: list, show and validate profiles; list finding codes."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from mailcheck.app import rulebook
from mailcheck.base.codes import CODES, markdown_table
from mailcheck.cli.base import EXIT_OK, EXIT_USAGE
from mailcheck.report.wording import plural
from mailcheck.rulefiles.profiles import (
    Sender,
    SenderProfile,
    SourceNetwork,
    get_profile,
    load_profiles,
)


def rules(args: argparse.Namespace) -> int:
    """``mailcheck rules list|show|validate``."""
    match args.rules_command:
        case "list":
            unsafe = args.allow_unsafe_networks
            for profile in load_profiles(tuple(args.rules), allow_unsafe_networks=unsafe).values():
                print(_summary(profile))
            return EXIT_OK
        case "show":
            unsafe = args.allow_unsafe_networks
            profile = get_profile(args.profile_id, tuple(args.rules), allow_unsafe_networks=unsafe)
            print(_describe(profile, date.today()), end="")
            return EXIT_OK
    return _validate(args.paths, args.allow_unsafe_networks)


def _validate(paths: list[Path], allow_unsafe_networks: bool) -> int:
    from mailcheck.rulefiles.loader import builtin_rules_dir

    results = rulebook.validate_paths(
        paths or [builtin_rules_dir()], allow_unsafe_networks=allow_unsafe_networks
    )
    for path, error in results:
        print(f"ok    {path}" if error is None else f"error {error}")
    bad = sum(1 for _, error in results if error is not None)
    print(f"{plural(len(results), 'file')}, {bad} with errors", file=sys.stderr)
    return EXIT_USAGE if bad or not results else EXIT_OK


def _summary(profile: SenderProfile) -> str:
    """``rules list``: vendor, purpose, entry counts and every source's own date."""
    legacy = len(profile.legacy_senders) + len(profile.legacy_networks)
    dates = "; ".join(
        f"{p.id} {p.page_date or 'undated'}{' (superseded)' if p.is_superseded else ''}"
        for p in profile.provenance
    )
    return "\n".join(
        (
            f"{profile.id}  {profile.vendor}: {profile.name}  ({profile.source})",
            f"    purpose: {profile.purpose}",
            f"    entries: {len(profile.senders)} senders, {len(profile.networks)} networks, "
            f"{legacy} legacy",
            f"    sources: {dates}",
        )
    )


def _describe(profile: SenderProfile, today: date) -> str:
    lines = [
        f"{profile.name} ({profile.id}) by {profile.vendor}",
        profile.purpose,
        f"source: {profile.source}  sha256: {profile.sha256}",
        "",
        "senders:",
    ]
    for sender in profile.senders:
        inferred = " (environment inferred)" if sender.environment_inferred else ""
        lines.append(f"  {sender.address:<52} {sender.environment}{inferred}")
        lines += _cited(profile, sender)
    lines += ["", "source networks:"]
    for net in profile.networks:
        flag = "documented" if net.documented else "NOT documented (never allowlisted)"
        lines.append(f"  {str(net.network):<20} {flag}  {net.label}".rstrip())
        lines += _cited(profile, net)
    legacy: list[Sender | SourceNetwork] = [*profile.legacy_senders, *profile.legacy_networks]
    if legacy:
        lines += ["", "legacy (listed only by superseded pages; never allowlisted: remove):"]
    for entry in legacy:
        shown = entry.address if isinstance(entry, Sender) else str(entry.network)
        lines += [f"  {shown}", *_cited(profile, entry)]
    lines += ["", "provenance:"] + [
        f"  [{p.id}] {p.describe(today)}" + (f"\n    {p.note}" if p.note else "")
        for p in profile.provenance
    ]
    return "\n".join(lines) + "\n"


def _cited(profile: SenderProfile, entry: Sender | SourceNetwork) -> list[str]:
    """The sources an entry cites, one line each, with the page's date."""
    out = []
    for item in profile.sources_of(entry):
        dated = f"page dated {item.page_date}" if item.page_date else "page undated"
        out.append(f"      from [{item.id}] {dated}")
    return out


def codes(*, markdown: bool) -> int:
    """``mailcheck codes``: every finding code, or README's Markdown table."""
    if markdown:
        print(markdown_table(), end="")
    else:
        for code, info in sorted(CODES.items()):
            print(f"{code}  {info.title}: {info.meaning}")
    return EXIT_OK
