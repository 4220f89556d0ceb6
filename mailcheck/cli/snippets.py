"""The ``snippets`` command: allowlist snippets for mail filters, to stdout or one file each."""

from __future__ import annotations

import argparse
import sys

from mailcheck.app.profiles import ProfileChoice
from mailcheck.cli.base import EXIT_OK


def snippets(args: argparse.Namespace) -> int:
    """``mailcheck snippets``: print every snippet, or write them and list the files."""
    from mailcheck.app.snippets import SnippetsRequest, build_snippets
    from mailcheck.snippets import FilterKind, SnippetOptions
    from mailcheck.snippets.files import listing_line

    request = SnippetsRequest(
        ProfileChoice(args.profile, tuple(args.rules), args.allow_unsafe_networks),
        SnippetOptions(args.include_ip_allowlist, args.review_date, args.spamassassin_legacy),
        tuple(FilterKind(name) for name in args.filters or ()),
        args.output,
    )
    result = build_snippets(request)
    if args.output is None:
        sys.stdout.write("\n".join(o.text for o in result.outputs))
        for note in result.notes:  # stderr: stdout stays exactly the text to paste
            print(note, file=sys.stderr)
        return EXIT_OK
    for output, path in zip(result.outputs, result.paths, strict=True):
        print(listing_line(output, path))
    for note in result.notes:
        print(note)
    return EXIT_OK
