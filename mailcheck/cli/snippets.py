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
    rendered = render_snippets(profile, options, filters)
    # A filter that can allow nothing gets a sentence saying so, never a file to paste.
    outputs = tuple(o for o in rendered if not o.nothing_to_paste)
    notes = [o.nothing_to_paste for o in rendered if o.nothing_to_paste]
    if args.output is None:
        sys.stdout.write("\n".join(o.text for o in outputs))
        for note in notes:  # stderr: stdout stays exactly the text to paste
            print(note, file=sys.stderr)
        return EXIT_OK
    for output, path in zip(outputs, write_snippets(outputs, args.output), strict=True):
        print(listing_line(output, path))
    for note in notes:
        print(note)
    return EXIT_OK
