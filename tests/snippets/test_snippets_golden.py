"""Golden files: every filter's exact bytes for the test sender, with and without IP entries.

Regenerate after an intended change, then review the diff like a security team would:

    MAILCHECK_REGENERATE_GOLDEN=1 /work/venv/bin/python -m pytest tests/snippets -k golden
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from mailcheck.snippets import FilterKind, SnippetFacts, SnippetOptions

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden" / "snippets"
REVIEW = date(2027, 2, 1)
VARIANTS = {
    "authenticated": (SnippetOptions(review_date=REVIEW), SnippetFacts()),
    "with-ip-shared": (
        SnippetOptions(include_ip_allowlist=True, review_date=REVIEW),
        SnippetFacts(shared_ips={"192.0.2.10": "Example ESP", "192.0.2.11": "Example ESP"}),
    ),
    "spamassassin-3x": (
        SnippetOptions(review_date=REVIEW, spamassassin_legacy=True),
        SnippetFacts(),
    ),
}
CASES = [
    (v, k)
    for v in VARIANTS
    for k in FilterKind
    if v != "spamassassin-3x" or k is FilterKind.SPAMASSASSIN
]


@pytest.mark.parametrize(("variant", "kind"), CASES, ids=[f"{v}-{k}" for v, k in CASES])
def test_snippet_matches_golden_file(variant, kind, snipsender):
    options, facts = VARIANTS[variant]
    out = kind.snippet().render(snipsender, options, facts)
    path = GOLDEN / variant / out.filename
    if os.environ.get("MAILCHECK_REGENERATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.text.encode("utf-8"))
    assert path.is_file(), f"missing golden file {path}: regenerate (see module docstring)"
    assert out.text.encode("utf-8") == path.read_bytes()


def test_no_stray_golden_files():
    expected = {(v, k.snippet().kind) for v, k in CASES}
    found = {(p.parent.name, p.stem) for p in GOLDEN.glob("*/*")}
    assert found <= {(v, kind) for v, kind in expected}
