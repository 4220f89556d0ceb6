"""The ``snippets`` command: allowlist snippets for mail filters, to stdout or one file each."""

from __future__ import annotations

import argparse
import sys

from mailcheck.cli.base import EXIT_OK, pick_profile


def snippets(args: argparse.Namespace) -> int:
    """``mailcheck snippets``: print every snippet, or write them and list the files."""
    from mailcheck.snippets import FilterKind, SnippetOptions, render_snippets
    from mailcheck.snippets.files import listing_line, write_snippets

    profile = pick_profile(
        args.profile, tuple(args.rules), allow_unsafe_networks=args.allow_unsafe_networks
    )
    options = SnippetOptions(args.include_ip_allowlist, args.review_date, args.spamassassin_legacy)
    filters = tuple(FilterKind(name) for name in args.filters or FilterKind)
    outputs = render_snippets(profile, options, filters)
    if args.output is None:
        sys.stdout.write("\n".join(o.text for o in outputs))
        return EXIT_OK
    for output, path in zip(outputs, write_snippets(outputs, args.output), strict=True):
        print(listing_line(output, path))
    return EXIT_OK
