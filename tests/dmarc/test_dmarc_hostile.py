"""Hostile DNS data: the parser never raises and stays bounded; walks stay within 8 queries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mailcheck.protocols.dmarc import (
    MAX_QUERIES,
    DmarcRecord,
    InvalidRecord,
    parse_record,
    walk_targets,
)
from mailcheck.protocols.dmarc.record import MAX_TAGS


@given(st.text(max_size=400))
def test_parse_never_raises(text):
    assert isinstance(parse_record(text), DmarcRecord | InvalidRecord)


@given(st.text(alphabet="v=DMARC1;pnoeqrjctsu ,:!@.amilto\t", max_size=300))
def test_parse_never_raises_on_dmarc_like_text(text):
    assert isinstance(parse_record("v=DMARC1;" + text), DmarcRecord | InvalidRecord)


def test_huge_record_is_bounded():
    names = [f"x{chr(97 + i // 26 % 26)}{chr(97 + i % 26)}" for i in range(600)]
    record = parse_record("v=DMARC1; " + "; ".join(f"{name}=1" for name in names))
    assert isinstance(record, DmarcRecord) and len(record.notes) <= MAX_TAGS + 5


@given(st.lists(st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True), min_size=1, max_size=60))
def test_walk_targets_bounded(labels):
    targets = walk_targets(".".join(labels))
    assert 1 <= len(targets) <= MAX_QUERIES and targets[-1] == labels[-1]
