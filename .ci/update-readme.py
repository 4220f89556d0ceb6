"""Refresh README's generated blocks (--help and the finding-code table).

python .ci/update-readme.py
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    """Rewrite the blocks between their markers; tests/test_cli.py checks they are current."""
    sys.path.insert(0, str(REPO))
    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal width
    from mailcheck.base.codes import markdown_table
    from mailcheck.cli import build_parser

    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    help_text = build_parser().format_help()
    blocks = {
        r"(<!-- help:start -->\n```text\n).*?(```\n<!-- help:end -->)": help_text,
        r"(<!-- codes:start -->\n).*?(<!-- codes:end -->)": markdown_table(),
    }
    for pattern, body in blocks.items():
        text = re.sub(pattern, lambda m, body=body: m[1] + body + m[2], text, flags=re.S)
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
